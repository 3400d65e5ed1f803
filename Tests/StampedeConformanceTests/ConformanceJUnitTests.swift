import Foundation
import StampedeConformance
import Testing

/// `stampede conformance --junit` goes through the project's one JUnit writer (issue 10 item 4):
/// one case per check, failures and skips as CI reads them, and the commit beside the results.
@Suite(.serialized) final class ConformanceJUnitTests {
    @Test func testResultsBecomeCasesWithTheCommit() {
        let results = [
            ConformanceResult(name: "handshake.open", level: .must, outcome: .pass),
            ConformanceResult(name: "handshake.sid", level: .must, outcome: .fail("no sid in \"open\" <packet>")),
            ConformanceResult(name: "polling.long", level: .should, outcome: .warn("held 0.2s")),
            ConformanceResult(name: "tls.alpn", level: .should, outcome: .skip("no TLS target")),
        ]
        let xml = ConformanceJUnit.render(results, gitCommit: "0123456789abcdef0123456789abcdef01234567", stampedeVersion: "9.9.9")
        #expect(xml.contains(#"<testsuite name="stampede-conformance" tests="4" failures="1" errors="0" skipped="1">"#), "\(xml)")
        #expect(xml.contains(#"<testcase classname="handshake" name="handshake.sid">"#), "\(xml)")
        #expect(xml.contains(#"<failure message="no sid in &quot;open&quot; &lt;packet&gt;">"#), "\(xml)")
        #expect(xml.contains(#"<skipped message="no TLS target"/>"#), "\(xml)")
        #expect(xml.contains("<system-out>WARN (SHOULD): held 0.2s</system-out>"), "\(xml)")
        #expect(xml.contains(#"<property name="git_commit" value="0123456789abcdef0123456789abcdef01234567"/>"#), "\(xml)")
        #expect(xml.contains(#"<property name="stampede_version" value="9.9.9"/>"#), "\(xml)")
        #expect(!(ConformanceJUnit.render(results, gitCommit: nil).contains("git_commit")))
    }
}
