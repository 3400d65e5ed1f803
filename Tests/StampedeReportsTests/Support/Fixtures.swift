import Foundation
@testable import StampedeReports

/// Paths beside this file, read through #filePath so no Package.swift resources are needed.
enum FixturePaths {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = testsDirectory.appendingPathComponent("Fixtures")
    static let repositoryRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    static let goldenReport = fixtures.appendingPathComponent("golden-report.json")
    static let schema = repositoryRoot.appendingPathComponent("schemas/report.schema.json")
    static let renderCheck = repositoryRoot.appendingPathComponent("scripts/render-check.sh")

}

/// The directories one test made. Swift Testing makes one suite instance per test
/// and releases it when the test ends, so a suite holding one of these (through
/// `MakesTemporaryDirectories`) has its directories removed as each test ends.
final class TemporaryDirectories {
    private var made: [URL] = []

    func make(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("stampede-reports-tests-\(name.filter(\.isLetter))-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        made.append(dir)
        return dir
    }

    deinit { for dir in made { try? FileManager.default.removeItem(at: dir) } }
}

/// A suite whose tests make scratch directories removed when each test ends.
protocol MakesTemporaryDirectories {
    var temporaryDirectories: TemporaryDirectories { get }
}

extension MakesTemporaryDirectories {
    /// A fresh directory removed when the test ends.
    func temporaryDirectory(_ name: String = #function) throws -> URL {
        try temporaryDirectories.make(name)
    }
}

/// The small report the golden file holds: every field populated, one failing
/// check and one failing budget, so the shape of every part is pinned.
enum GoldenFixture {
    static func report() -> RunReport {
        var run = SyntheticRun(seconds: 3, metrics: ["connect", "event_delivery"], perSecondPerMetric: 6, shards: 1, seed: 3)
        run.scenarioName = "golden"
        var r = run.report(shards: [0])
        r.checks.append(CheckResult(name: "stats_match", passed: false,
                                    evidence: ["t=2s: server reports 3 connections, generator holds 2", "drift persisted 1s"],
                                    details: ["max_drift": 1, "samples": 1]))
        r.budgets.append(BudgetResult.evaluate(expression: "errors.rate", limit: 0, actual: 0.25, unit: "ratio"))
        r.errorsByCode["connect_timeout"] = 1
        r.refreshVerdict()
        return r
    }
}
