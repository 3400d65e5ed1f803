import Foundation
import Testing
@testable import StampedeReports

/// Pins report.json's shape. After an intended change, regenerate with
/// `STAMPEDE_UPDATE_GOLDEN=1 swift test --filter GoldenReportTests`, bump the schema
/// version if old readers would misread it, and update docs/REPORTS.md and the JSON Schema.
@Suite(.serialized) final class GoldenReportTests: MakesTemporaryDirectories {
    let temporaryDirectories = TemporaryDirectories()
    @Test func testReportJSONMatchesTheGoldenFile() throws {
        let json = String(decoding: try GoldenFixture.report().jsonData(), as: UTF8.self) + "\n"
        if ProcessInfo.processInfo.environment["STAMPEDE_UPDATE_GOLDEN"] == "1" {
            try json.write(to: FixturePaths.goldenReport, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOf: FixturePaths.goldenReport, encoding: .utf8)
        if json != golden {
            let a = json.split(separator: "\n", omittingEmptySubsequences: false)
            let b = golden.split(separator: "\n", omittingEmptySubsequences: false)
            let line = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
            Issue.record("report.json differs from \(FixturePaths.goldenReport.path) at line \(line + 1):\n  got:    \(line < a.count ? a[line] : "<end>")\n  golden: \(line < b.count ? b[line] : "<end>")")
        }
    }

    @Test func testGoldenFileDecodesToTheFixture() throws {
        let decoded = try RunReport.load(from: FixturePaths.goldenReport)
        let fixture = GoldenFixture.report()
        #expect(decoded.metrics == fixture.metrics)
        #expect(decoded.timeSeries == fixture.timeSeries)
        #expect(decoded.checks == fixture.checks)
        #expect(decoded.budgets == fixture.budgets)
        #expect(decoded.scenario == fixture.scenario)
        #expect(decoded.start == fixture.start)
        #expect(decoded.verdict == .failed)
        #expect(decoded.exitCode == 2, "a failed check outranks a failed budget")
        // And it re-encodes byte for byte.
        #expect(try decoded.jsonData() == fixture.jsonData())
    }

    @Test func testTopLevelKeysAreSnakeCaseAndVersioned() throws {
        let object = try JSONSerialization.jsonObject(with: GoldenFixture.report().jsonData()) as! [String: Any]
        #expect(object["schema_version"] as? Int == RunReport.currentSchemaVersion)
        for key in ["scenario", "environment", "target", "start", "end", "phases", "metrics", "time_series", "checks",
                    "budgets", "stats_samples", "generator_health", "errors_by_code", "verdict", "exit_code", "counters"] {
            #expect(object[key] != nil, "\(key)")
        }
        let metric = (object["metrics"] as! [String: Any])["event_delivery"] as! [String: Any]
        for key in ["count", "min", "mean", "stdev", "p50", "p75", "p90", "p95", "p99", "p999", "max", "histogram"] {
            #expect(metric[key] != nil, "\(key)")
        }
    }

    @Test func testANewerSchemaVersionIsRefused() throws {
        var object = try JSONSerialization.jsonObject(with: GoldenFixture.report().jsonData()) as! [String: Any]
        object["schema_version"] = RunReport.currentSchemaVersion + 1
        #expect(throws: (any Error).self) { _ = try RunReport.decode(JSONSerialization.data(withJSONObject: object)) }
    }

    @Test func testDefaultDirectoryIsScenarioAndUTCTimestamp() {
        let date = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18T11:06:40Z
        let dir = ReportWriter.defaultDirectory(scenarioName: "fan out/2k", date: date, root: URL(fileURLWithPath: "/tmp/reports"))
        #expect(dir.path == "/tmp/reports/fan-out-2k-20261118T110640Z")
    }

    @Test func testWriterLeavesTheThreeFiles() throws {
        let dir = try temporaryDirectory().appendingPathComponent("nested/run")
        try ReportWriter.write(GoldenFixture.report(), to: dir)
        for name in ["report.json", "report.html", "junit.xml"] {
            let size = (try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(name).path)[.size] as? Int) ?? 0
            #expect(size > 100, "\(name)")
        }
        #expect(try RunReport.load(from: dir.appendingPathComponent("report.json")).scenarioName == "golden")
    }
}

@Suite(.serialized) final class ExitCodeTests {
    @Test func testExitCodesFollowTheRunCommand() {
        let ok = CheckResult(name: "ordering", passed: true), bad = CheckResult(name: "ordering", passed: false)
        let met = BudgetResult.evaluate(expression: "x.p99", limit: 10, actual: 5)
        let blown = BudgetResult.evaluate(expression: "x.p99", limit: 10, actual: 50)
        #expect(RunReport.exitCode(for: .passed, checks: [ok], budgets: [met]) == 0)
        #expect(RunReport.exitCode(for: .failed, checks: [ok], budgets: [blown]) == 1)
        #expect(RunReport.exitCode(for: .failed, checks: [bad], budgets: [blown]) == 2)
        #expect(RunReport.exitCode(for: .aborted, checks: [ok], budgets: [met]) == 1)
        #expect(RunReport.exitCode(for: .error, checks: [bad], budgets: []) == 3)
        var r = GoldenFixture.report()
        r.checks = [ok]
        r.budgets = [met]
        r.refreshVerdict()
        #expect(r.verdict == .passed)
        #expect(r.exitCode == 0)
    }
}
