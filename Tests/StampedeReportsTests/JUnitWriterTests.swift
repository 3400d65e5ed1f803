import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import StampedeReports

final class JUnitWriterTests: XCTestCase {
    func testEveryCheckAndBudgetIsATestCaseAndFailuresCarryEvidence() throws {
        let report = GoldenFixture.report()
        let doc = try XMLDocument(xmlString: JUnitWriter.render(report), options: [])
        let root = try XCTUnwrap(doc.rootElement())
        XCTAssertEqual(root.name, "testsuites")
        let cases = try doc.nodes(forXPath: "//testcase") as! [XMLElement]
        XCTAssertEqual(cases.count, report.checks.count + report.budgets.count)
        XCTAssertEqual(root.attribute(forName: "tests")?.stringValue, String(report.checks.count + report.budgets.count))

        let failures = try doc.nodes(forXPath: "//testcase/failure") as! [XMLElement]
        let expectedFailures = report.checks.filter { !$0.passed }.count + report.budgets.filter { !$0.passed }.count
        XCTAssertEqual(failures.count, expectedFailures)
        XCTAssertEqual(root.attribute(forName: "failures")?.stringValue, String(expectedFailures))

        let stats = try XCTUnwrap(cases.first { $0.attribute(forName: "name")?.stringValue == "stats_match" })
        let failure = try XCTUnwrap(stats.elements(forName: "failure").first)
        XCTAssertEqual(failure.attribute(forName: "message")?.stringValue, "t=2s: server reports 3 connections, generator holds 2")
        XCTAssertTrue(failure.stringValue?.contains("drift persisted 1s") ?? false)

        let budget = try XCTUnwrap(cases.first { $0.attribute(forName: "name")?.stringValue == "errors.rate" })
        XCTAssertEqual(budget.elements(forName: "failure").first?.attribute(forName: "message")?.stringValue,
                       "errors.rate = 0.25 ratio <= 0 ratio: FAILED")
        let passing = try XCTUnwrap(cases.first { $0.attribute(forName: "name")?.stringValue == "ordering" })
        XCTAssertTrue(passing.elements(forName: "failure").isEmpty)
    }

    func testEvidenceIsEscapedAndControlCharactersCannotBreakTheXML() throws {
        var report = GoldenFixture.report()
        report.checks = [CheckResult(name: "ordering <&>", passed: false, evidence: ["frame 42[\"x\",{\"a\":\"<b>&\u{01}\"}]"])]
        let xml = JUnitWriter.render(report)
        let doc = try XMLDocument(xmlString: xml, options: [])
        let failure = try XCTUnwrap((try doc.nodes(forXPath: "//failure") as! [XMLElement]).first)
        XCTAssertEqual(failure.attribute(forName: "message")?.stringValue, "frame 42[\"x\",{\"a\":\"<b>&\u{FFFD}\"}]")
    }

    func testAnAbortedRunFailsCIEvenWithoutChecks() throws {
        var report = GoldenFixture.report()
        report.checks = []
        report.budgets = []
        report.verdict = .aborted
        report.abortReason = "budget connect.p95 exceeded"
        report.refreshVerdict()
        let doc = try XMLDocument(xmlString: JUnitWriter.render(report), options: [])
        let errors = try doc.nodes(forXPath: "//testcase/error") as! [XMLElement]
        XCTAssertEqual(errors.count, 1)
        XCTAssertEqual(errors.first?.attribute(forName: "message")?.stringValue, "budget connect.p95 exceeded")
    }
}

/// Issue 15 item 6: junit.xml carries the run's times and the commit it was made from.
final class JUnitTimesAndCommitTests: XCTestCase {
    /// Regression: every testcase said time="0" and the commit property was written empty when unknown.
    func testCasesAndSuitesCarryTheMeasuredDurationAndTheCommit() throws {
        let report = GoldenFixture.report()
        let doc = try XMLDocument(xmlString: JUnitWriter.render(report), options: [])
        let expected = JUnitDocument.seconds(report.durationSeconds)
        XCTAssertNotEqual(expected, "0.000")
        let cases = try doc.nodes(forXPath: "//testcase") as! [XMLElement]
        XCTAssertFalse(cases.isEmpty)
        for c in cases { XCTAssertEqual(c.attribute(forName: "time")?.stringValue, expected, c.xmlString) }
        for s in try doc.nodes(forXPath: "//testsuite") as! [XMLElement] {
            XCTAssertEqual(s.attribute(forName: "time")?.stringValue, expected)
        }
        XCTAssertEqual(doc.rootElement()?.attribute(forName: "time")?.stringValue, expected)
        let commit = try doc.nodes(forXPath: "//property[@name='git_commit']") as! [XMLElement]
        XCTAssertEqual(commit.first?.attribute(forName: "value")?.stringValue, "0123456789abcdef")

        var unknown = report
        unknown.environment.gitCommit = nil
        XCTAssertFalse(JUnitWriter.render(unknown).contains("git_commit"), "an unknown commit is left out, not written empty")
    }

    func testAPassingCheckShowsWhatItObserved() throws {
        let report = GoldenFixture.report()
        let doc = try XMLDocument(xmlString: JUnitWriter.render(report), options: [])
        let ordering = try XCTUnwrap((try doc.nodes(forXPath: "//testcase[@name='ordering']") as! [XMLElement]).first)
        let out = try XCTUnwrap(ordering.elements(forName: "system-out").first?.stringValue)
        XCTAssertTrue(out.contains("deliveries checked, 0 violations"), out)
    }

    /// The one writer: both producers' documents render through `JUnitDocument`.
    func testTheDocumentRendersEveryOutcome() throws {
        let doc = JUnitDocument(name: "n", suites: [JUnitDocument.Suite(name: "s", time: 1.5, properties: [("git_commit", "abc")], cases: [
            .init(classname: "c", name: "ok", time: 0.25),
            .init(classname: "c", name: "bad", outcome: .failure(type: nil, message: "m<", body: "b&")),
            .init(classname: "c", name: "skip", outcome: .skipped(message: "why")),
            .init(classname: "c", name: "err", outcome: .error(type: "interrupted", message: "sig")),
            .init(classname: "c", name: "warn", output: "WARN x"),
        ])])
        let xml = try XMLDocument(xmlString: doc.render(), options: [])
        let suite = try XCTUnwrap((try xml.nodes(forXPath: "//testsuite") as! [XMLElement]).first)
        XCTAssertEqual(suite.attribute(forName: "tests")?.stringValue, "5")
        XCTAssertEqual(suite.attribute(forName: "failures")?.stringValue, "1")
        XCTAssertEqual(suite.attribute(forName: "errors")?.stringValue, "1")
        XCTAssertEqual(suite.attribute(forName: "skipped")?.stringValue, "1")
        XCTAssertEqual(suite.attribute(forName: "time")?.stringValue, "1.500")
        XCTAssertEqual((try xml.nodes(forXPath: "//testcase[@name='ok']/@time") as! [XMLNode]).first?.stringValue, "0.250")
        XCTAssertTrue((try xml.nodes(forXPath: "//testcase[@name='bad']/@time")).isEmpty, "no measured time, no attribute")
        XCTAssertEqual((try xml.nodes(forXPath: "//failure/@message") as! [XMLNode]).first?.stringValue, "m<")
        XCTAssertEqual((try xml.nodes(forXPath: "//testcase[@name='warn']/system-out") as! [XMLNode]).first?.stringValue, "WARN x")
    }
}
