import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import StampedeReports

@Suite(.serialized) final class JUnitWriterTests {
    @Test func testEveryCheckAndBudgetIsATestCaseAndFailuresCarryEvidence() throws {
        let report = GoldenFixture.report()
        let doc = try XMLDocument(xmlString: JUnitWriter.render(report), options: [])
        let root = try #require(doc.rootElement())
        #expect(root.name == "testsuites")
        let cases = try doc.nodes(forXPath: "//testcase") as! [XMLElement]
        #expect(cases.count == report.checks.count + report.budgets.count)
        #expect(root.attribute(forName: "tests")?.stringValue == String(report.checks.count + report.budgets.count))

        let failures = try doc.nodes(forXPath: "//testcase/failure") as! [XMLElement]
        let expectedFailures = report.checks.filter { !$0.passed }.count + report.budgets.filter { !$0.passed }.count
        #expect(failures.count == expectedFailures)
        #expect(root.attribute(forName: "failures")?.stringValue == String(expectedFailures))

        let stats = try #require(cases.first { $0.attribute(forName: "name")?.stringValue == "stats_match" })
        let failure = try #require(stats.elements(forName: "failure").first)
        #expect(failure.attribute(forName: "message")?.stringValue == "t=2s: server reports 3 connections, generator holds 2")
        #expect(failure.stringValue?.contains("drift persisted 1s") ?? false)

        let budget = try #require(cases.first { $0.attribute(forName: "name")?.stringValue == "errors.rate" })
        #expect(budget.elements(forName: "failure").first?.attribute(forName: "message")?.stringValue == "errors.rate = 0.25 ratio <= 0 ratio: FAILED")
        let passing = try #require(cases.first { $0.attribute(forName: "name")?.stringValue == "ordering" })
        #expect(passing.elements(forName: "failure").isEmpty)
    }

    @Test func testEvidenceIsEscapedAndControlCharactersCannotBreakTheXML() throws {
        var report = GoldenFixture.report()
        report.checks = [CheckResult(name: "ordering <&>", passed: false, evidence: ["frame 42[\"x\",{\"a\":\"<b>&\u{01}\"}]"])]
        let xml = JUnitWriter.render(report)
        let doc = try XMLDocument(xmlString: xml, options: [])
        let failure = try #require((try doc.nodes(forXPath: "//failure") as! [XMLElement]).first)
        #expect(failure.attribute(forName: "message")?.stringValue == "frame 42[\"x\",{\"a\":\"<b>&\u{FFFD}\"}]")
    }

    @Test func testAnAbortedRunFailsCIEvenWithoutChecks() throws {
        var report = GoldenFixture.report()
        report.checks = []
        report.budgets = []
        report.verdict = .aborted
        report.abortReason = "budget connect.p95 exceeded"
        report.refreshVerdict()
        let doc = try XMLDocument(xmlString: JUnitWriter.render(report), options: [])
        let errors = try doc.nodes(forXPath: "//testcase/error") as! [XMLElement]
        #expect(errors.count == 1)
        #expect(errors.first?.attribute(forName: "message")?.stringValue == "budget connect.p95 exceeded")
    }
}

/// Issue 15 item 6: junit.xml carries the run's times and the commit it was made from.
@Suite(.serialized) final class JUnitTimesAndCommitTests {
    /// Regression: every testcase said time="0" and the commit property was written empty when unknown.
    @Test func testCasesAndSuitesCarryTheMeasuredDurationAndTheCommit() throws {
        let report = GoldenFixture.report()
        let doc = try XMLDocument(xmlString: JUnitWriter.render(report), options: [])
        let expected = JUnitDocument.seconds(report.durationSeconds)
        #expect(expected != "0.000")
        let cases = try doc.nodes(forXPath: "//testcase") as! [XMLElement]
        #expect(!(cases.isEmpty))
        for c in cases { #expect(c.attribute(forName: "time")?.stringValue == expected, "\(c.xmlString)") }
        for s in try doc.nodes(forXPath: "//testsuite") as! [XMLElement] {
            #expect(s.attribute(forName: "time")?.stringValue == expected)
        }
        #expect(doc.rootElement()?.attribute(forName: "time")?.stringValue == expected)
        let commit = try doc.nodes(forXPath: "//property[@name='git_commit']") as! [XMLElement]
        #expect(commit.first?.attribute(forName: "value")?.stringValue == "0123456789abcdef")

        var unknown = report
        unknown.environment.gitCommit = nil
        #expect(!(JUnitWriter.render(unknown).contains("git_commit")), "an unknown commit is left out, not written empty")
    }

    @Test func testAPassingCheckShowsWhatItObserved() throws {
        let report = GoldenFixture.report()
        let doc = try XMLDocument(xmlString: JUnitWriter.render(report), options: [])
        let ordering = try #require((try doc.nodes(forXPath: "//testcase[@name='ordering']") as! [XMLElement]).first)
        let out = try #require(ordering.elements(forName: "system-out").first?.stringValue)
        #expect(out.contains("deliveries checked, 0 violations"), "\(out)")
    }

    /// The one writer: both producers' documents render through `JUnitDocument`.
    @Test func testTheDocumentRendersEveryOutcome() throws {
        let doc = JUnitDocument(name: "n", suites: [JUnitDocument.Suite(name: "s", time: 1.5, properties: [("git_commit", "abc")], cases: [
            .init(classname: "c", name: "ok", time: 0.25),
            .init(classname: "c", name: "bad", outcome: .failure(type: nil, message: "m<", body: "b&")),
            .init(classname: "c", name: "skip", outcome: .skipped(message: "why")),
            .init(classname: "c", name: "err", outcome: .error(type: "interrupted", message: "sig")),
            .init(classname: "c", name: "warn", output: "WARN x"),
        ])])
        let xml = try XMLDocument(xmlString: doc.render(), options: [])
        let suite = try #require((try xml.nodes(forXPath: "//testsuite") as! [XMLElement]).first)
        #expect(suite.attribute(forName: "tests")?.stringValue == "5")
        #expect(suite.attribute(forName: "failures")?.stringValue == "1")
        #expect(suite.attribute(forName: "errors")?.stringValue == "1")
        #expect(suite.attribute(forName: "skipped")?.stringValue == "1")
        #expect(suite.attribute(forName: "time")?.stringValue == "1.500")
        #expect((try xml.nodes(forXPath: "//testcase[@name='ok']/@time") as! [XMLNode]).first?.stringValue == "0.250")
        #expect((try xml.nodes(forXPath: "//testcase[@name='bad']/@time")).isEmpty, "no measured time, no attribute")
        #expect((try xml.nodes(forXPath: "//failure/@message") as! [XMLNode]).first?.stringValue == "m<")
        #expect((try xml.nodes(forXPath: "//testcase[@name='warn']/system-out") as! [XMLNode]).first?.stringValue == "WARN x")
    }
}
