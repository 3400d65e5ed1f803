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
