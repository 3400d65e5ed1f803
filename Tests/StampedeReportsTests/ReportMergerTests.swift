import Foundation
import XCTest
@testable import StampedeReports

final class ReportMergerTests: XCTestCase {
    func testMergingTwoHalvesEqualsTheWhole() throws {
        let run = SyntheticRun(seconds: 40, shards: 2)
        let whole = run.report(shards: [0, 1])
        // Through JSON, as `stampede report merge` sees them.
        let halves = try [run.report(shards: [0]), run.report(shards: [1])].map { try RunReport.decode($0.jsonData()) }
        XCTAssertNotEqual(halves[0].metrics, whole.metrics)

        let merged = try ReportMerger.merge(halves)

        XCTAssertEqual(merged.metrics, whole.metrics)
        XCTAssertEqual(merged.counters, whole.counters)
        XCTAssertEqual(merged.timeSeries, whole.timeSeries)
        XCTAssertEqual(merged.statsSamples, whole.statsSamples)
        XCTAssertEqual(merged.errorsByCode, whole.errorsByCode)
        XCTAssertEqual(merged.budgets, whole.budgets)
        XCTAssertEqual(merged.generatorHealth, whole.generatorHealth)
        XCTAssertEqual(merged.phases, whole.phases)
        XCTAssertEqual(merged.environment.workers, 2)
        XCTAssertEqual(merged.verdict, whole.verdict)
        XCTAssertEqual(merged.start, whole.start)
        XCTAssertEqual(merged.end, whole.end)
    }

    func testMergeIsOrderIndependent() throws {
        let run = SyntheticRun(seconds: 20, shards: 3)
        let parts = (0..<3).map { run.report(shards: [$0]) }
        let a = try ReportMerger.merge(parts)
        let b = try ReportMerger.merge(parts.reversed())
        XCTAssertEqual(a.metrics, b.metrics)
        XCTAssertEqual(a.timeSeries, b.timeSeries)
        XCTAssertEqual(a.metrics, run.report(shards: [0, 1, 2]).metrics)
    }

    func testShardsThatStartedLaterAlignOnWallClockSeconds() throws {
        var run = SyntheticRun(seconds: 10, shards: 1)
        let early = run.report(shards: [0])
        run.start = run.start.addingTimeInterval(3)
        let late = run.report(shards: [0])
        let merged = try ReportMerger.merge([late, early])
        XCTAssertEqual(merged.timeSeries.map(\.t), Array(0..<13))
        XCTAssertEqual(merged.timeSeries[0].connections, early.timeSeries[0].connections)
        XCTAssertEqual(merged.timeSeries[3].connections, early.timeSeries[3].connections + late.timeSeries[0].connections)
        XCTAssertEqual(merged.durationSeconds, 13, accuracy: 0.001)
    }

    func testWithoutPerSecondHistogramsTheMergeKeepsTheWorstPercentile() throws {
        let run = SyntheticRun(seconds: 5, shards: 2, keepSecondHistograms: false)
        let a = run.report(shards: [0]), b = run.report(shards: [1])
        let merged = try ReportMerger.merge([a, b])
        let m = merged.timeSeries[2].latency["event_delivery"]!
        XCTAssertNil(m.histogram)
        XCTAssertEqual(m.p99, max(a.timeSeries[2].latency["event_delivery"]!.p99, b.timeSeries[2].latency["event_delivery"]!.p99))
        XCTAssertEqual(m.count, a.timeSeries[2].latency["event_delivery"]!.count + b.timeSeries[2].latency["event_delivery"]!.count)
    }

    func testAFailedCheckInOneShardFailsTheMergeWithItsEvidence() throws {
        let run = SyntheticRun(seconds: 5, shards: 2)
        var a = run.report(shards: [0])
        let b = run.report(shards: [1])
        a.checks[0] = CheckResult(name: "ordering", passed: false, evidence: ["wf-7: seq 12 after 14"])
        a.refreshVerdict()
        let merged = try ReportMerger.merge([a, b])
        let ordering = try XCTUnwrap(merged.checks.first { $0.name == "ordering" })
        XCTAssertFalse(ordering.passed)
        XCTAssertTrue(ordering.evidence.contains("[shard 1] wf-7: seq 12 after 14"))
        XCTAssertEqual(merged.verdict, .failed)
        XCTAssertEqual(merged.exitCode, 2)
    }

    func testBudgetsAreReEvaluatedOnTheMergedHistogram() throws {
        let run = SyntheticRun(seconds: 30, shards: 2)
        var a = run.report(shards: [0]), b = run.report(shards: [1])
        // A limit between the shards' p99s: per-shard verdicts disagree, the merged value decides.
        let pa = a.metrics["event_delivery"]!.p99, pb = b.metrics["event_delivery"]!.p99
        let whole = run.report(shards: [0, 1]).metrics["event_delivery"]!.p99
        let limit = whole
        a.budgets = [BudgetResult.evaluate(expression: "event_delivery.p99", limit: limit, actual: pa)]
        b.budgets = [BudgetResult.evaluate(expression: "event_delivery.p99", limit: limit, actual: pb)]
        let merged = try ReportMerger.merge([a, b])
        XCTAssertEqual(merged.budgets.count, 1)
        XCTAssertEqual(merged.budgets[0].actual, whole)
        XCTAssertTrue(merged.budgets[0].passed)
    }

    /// Regression (issue 12): the runner writes the whole expression; the merger must read its subject.
    func testBudgetSubjectIsTheTextLeftOfTheComparison() throws {
        XCTAssertEqual(BudgetMerger.subject(of: "event_delivery.p99 <= 250ms"), "event_delivery.p99")
        XCTAssertEqual(BudgetMerger.subject(of: "event_delivery.p99.9<2.5s"), "event_delivery.p99.9")
        XCTAssertEqual(BudgetMerger.subject(of: "event_delivery.rate >= 500/s"), "event_delivery.rate")
        XCTAssertEqual(BudgetMerger.subject(of: "connect.p95"), "connect.p95")
        let run = SyntheticRun(seconds: 30, shards: 2)
        var a = run.report(shards: [0]), b = run.report(shards: [1])
        let whole = run.report(shards: [0, 1]).metrics["connect"]!.p95
        a.budgets = [BudgetResult.evaluate(expression: "connect.p95 <= 3.05ms", limit: 3.05, actual: a.metrics["connect"]!.p95)]
        b.budgets = [BudgetResult.evaluate(expression: "connect.p95 <= 3.05ms", limit: 3.05, actual: nil)]
        let merged = try ReportMerger.merge([a, b])
        XCTAssertEqual(merged.budgets[0].actual, whole)
    }

    func testRefusesToMergeDifferentScenariosOrNothing() {
        let run = SyntheticRun(seconds: 2, shards: 1)
        var other = run.report(shards: [0])
        other.scenarioName = "reconnect-storm"
        XCTAssertThrowsError(try ReportMerger.merge([run.report(shards: [0]), other])) {
            XCTAssertEqual($0 as? ReportMergeError, .differentScenarios(["fanout-2k", "reconnect-storm"]))
        }
        XCTAssertThrowsError(try ReportMerger.merge([])) { XCTAssertEqual($0 as? ReportMergeError, .nothingToMerge) }
    }

    func testAnAbortedShardMakesTheMergeAborted() throws {
        let run = SyntheticRun(seconds: 3, shards: 2)
        var a = run.report(shards: [0])
        a.verdict = .aborted
        a.abortReason = "budget event_delivery.p99 exceeded (abort_on_fail)"
        a.refreshVerdict()
        let merged = try ReportMerger.merge([a, run.report(shards: [1])])
        XCTAssertEqual(merged.verdict, .aborted)
        XCTAssertEqual(merged.exitCode, 1)
        XCTAssertEqual(merged.abortReason, a.abortReason)
    }
}

final class ReportMergerSaturationTests: XCTestCase {
    func testASaturatedShardFailsLatencyBudgetsAfterTheMerge() throws {
        let run = SyntheticRun(seconds: 5, shards: 2)
        var a = run.report(shards: [0])
        a.generatorHealth.saturated = true
        let merged = try ReportMerger.merge([a, run.report(shards: [1])])
        XCTAssertTrue(merged.generatorHealth.saturated)
        XCTAssertFalse(merged.budgets.contains { $0.passed })
        XCTAssertEqual(merged.exitCode, 1)
    }
}
