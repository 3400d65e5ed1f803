import Foundation
import XCTest
@testable import StampedeReports

/// Pins report.json's shape. After an intended change, regenerate with
/// `STAMPEDE_UPDATE_GOLDEN=1 swift test --filter GoldenReportTests`, bump the schema
/// version if old readers would misread it, and update docs/REPORTS.md and the JSON Schema.
final class GoldenReportTests: XCTestCase {
    func testReportJSONMatchesTheGoldenFile() throws {
        let json = String(decoding: try GoldenFixture.report().jsonData(), as: UTF8.self) + "\n"
        if ProcessInfo.processInfo.environment["STAMPEDE_UPDATE_GOLDEN"] == "1" {
            try json.write(to: FixturePaths.goldenReport, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOf: FixturePaths.goldenReport, encoding: .utf8)
        if json != golden {
            let a = json.split(separator: "\n", omittingEmptySubsequences: false)
            let b = golden.split(separator: "\n", omittingEmptySubsequences: false)
            let line = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
            XCTFail("report.json differs from \(FixturePaths.goldenReport.path) at line \(line + 1):\n  got:    \(line < a.count ? a[line] : "<end>")\n  golden: \(line < b.count ? b[line] : "<end>")")
        }
    }

    func testGoldenFileDecodesToTheFixture() throws {
        let decoded = try RunReport.load(from: FixturePaths.goldenReport)
        let fixture = GoldenFixture.report()
        XCTAssertEqual(decoded.metrics, fixture.metrics)
        XCTAssertEqual(decoded.timeSeries, fixture.timeSeries)
        XCTAssertEqual(decoded.checks, fixture.checks)
        XCTAssertEqual(decoded.budgets, fixture.budgets)
        XCTAssertEqual(decoded.scenario, fixture.scenario)
        XCTAssertEqual(decoded.start, fixture.start)
        XCTAssertEqual(decoded.verdict, .failed)
        XCTAssertEqual(decoded.exitCode, 2, "a failed check outranks a failed budget")
        // And it re-encodes byte for byte.
        XCTAssertEqual(try decoded.jsonData(), try fixture.jsonData())
    }

    func testTopLevelKeysAreSnakeCaseAndVersioned() throws {
        let object = try JSONSerialization.jsonObject(with: GoldenFixture.report().jsonData()) as! [String: Any]
        XCTAssertEqual(object["schema_version"] as? Int, RunReport.currentSchemaVersion)
        for key in ["scenario", "environment", "target", "start", "end", "phases", "metrics", "time_series", "checks",
                    "budgets", "stats_samples", "generator_health", "errors_by_code", "verdict", "exit_code", "counters"] {
            XCTAssertNotNil(object[key], key)
        }
        let metric = (object["metrics"] as! [String: Any])["event_delivery"] as! [String: Any]
        for key in ["count", "min", "mean", "stdev", "p50", "p75", "p90", "p95", "p99", "p999", "max", "histogram"] {
            XCTAssertNotNil(metric[key], key)
        }
    }

    func testANewerSchemaVersionIsRefused() throws {
        var object = try JSONSerialization.jsonObject(with: GoldenFixture.report().jsonData()) as! [String: Any]
        object["schema_version"] = RunReport.currentSchemaVersion + 1
        XCTAssertThrowsError(try RunReport.decode(JSONSerialization.data(withJSONObject: object)))
    }

    func testDefaultDirectoryIsScenarioAndUTCTimestamp() {
        let date = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18T11:06:40Z
        let dir = ReportWriter.defaultDirectory(scenarioName: "fan out/2k", date: date, root: URL(fileURLWithPath: "/tmp/reports"))
        XCTAssertEqual(dir.path, "/tmp/reports/fan-out-2k-20261118T110640Z")
    }

    func testWriterLeavesTheThreeFiles() throws {
        let dir = try temporaryDirectory().appendingPathComponent("nested/run")
        try ReportWriter.write(GoldenFixture.report(), to: dir)
        for name in ["report.json", "report.html", "junit.xml"] {
            let size = (try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(name).path)[.size] as? Int) ?? 0
            XCTAssertGreaterThan(size, 100, name)
        }
        XCTAssertEqual(try RunReport.load(from: dir.appendingPathComponent("report.json")).scenarioName, "golden")
    }
}

final class ExitCodeTests: XCTestCase {
    func testExitCodesFollowTheRunCommand() {
        let ok = CheckResult(name: "ordering", passed: true), bad = CheckResult(name: "ordering", passed: false)
        let met = BudgetResult.evaluate(expression: "x.p99", limit: 10, actual: 5)
        let blown = BudgetResult.evaluate(expression: "x.p99", limit: 10, actual: 50)
        XCTAssertEqual(RunReport.exitCode(for: .passed, checks: [ok], budgets: [met]), 0)
        XCTAssertEqual(RunReport.exitCode(for: .failed, checks: [ok], budgets: [blown]), 1)
        XCTAssertEqual(RunReport.exitCode(for: .failed, checks: [bad], budgets: [blown]), 2)
        XCTAssertEqual(RunReport.exitCode(for: .aborted, checks: [ok], budgets: [met]), 1)
        XCTAssertEqual(RunReport.exitCode(for: .error, checks: [bad], budgets: []), 3)
        var r = GoldenFixture.report()
        r.checks = [ok]
        r.budgets = [met]
        r.refreshVerdict()
        XCTAssertEqual(r.verdict, .passed)
        XCTAssertEqual(r.exitCode, 0)
    }
}
