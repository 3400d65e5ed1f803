import Foundation
import Testing
@testable import StampedeReports

@Suite(.serialized) final class ReportMergerTests {
    @Test func testMergingTwoHalvesEqualsTheWhole() throws {
        let run = SyntheticRun(seconds: 40, shards: 2)
        let whole = run.report(shards: [0, 1])
        // Through JSON, as `stampede report merge` sees them.
        let halves = try [run.report(shards: [0]), run.report(shards: [1])].map { try RunReport.decode($0.jsonData()) }
        #expect(halves[0].metrics != whole.metrics)

        let merged = try ReportMerger.merge(halves)

        #expect(merged.metrics == whole.metrics)
        #expect(merged.counters == whole.counters)
        #expect(merged.timeSeries == whole.timeSeries)
        #expect(merged.statsSamples == whole.statsSamples)
        #expect(merged.errorsByCode == whole.errorsByCode)
        #expect(merged.budgets == whole.budgets)
        #expect(merged.generatorHealth == whole.generatorHealth)
        #expect(merged.phases == whole.phases)
        #expect(merged.environment.workers == 2)
        #expect(merged.verdict == whole.verdict)
        #expect(merged.start == whole.start)
        #expect(merged.end == whole.end)
    }

    @Test func testMergeIsOrderIndependent() throws {
        let run = SyntheticRun(seconds: 20, shards: 3)
        let parts = (0..<3).map { run.report(shards: [$0]) }
        let a = try ReportMerger.merge(parts)
        let b = try ReportMerger.merge(parts.reversed())
        #expect(a.metrics == b.metrics)
        #expect(a.timeSeries == b.timeSeries)
        #expect(a.metrics == run.report(shards: [0, 1, 2]).metrics)
    }

    @Test func testShardsThatStartedLaterAlignOnWallClockSeconds() throws {
        var run = SyntheticRun(seconds: 10, shards: 1)
        let early = run.report(shards: [0])
        run.start = run.start.addingTimeInterval(3)
        let late = run.report(shards: [0])
        let merged = try ReportMerger.merge([late, early])
        #expect(merged.timeSeries.map(\.t) == Array(0..<13))
        #expect(merged.timeSeries[0].connections == early.timeSeries[0].connections)
        #expect(merged.timeSeries[3].connections == early.timeSeries[3].connections + late.timeSeries[0].connections)
        #expect(abs((merged.durationSeconds) - (13)) <= 0.001)
    }

    @Test func testWithoutPerSecondHistogramsTheMergeKeepsTheWorstPercentile() throws {
        let run = SyntheticRun(seconds: 5, shards: 2, keepSecondHistograms: false)
        let a = run.report(shards: [0]), b = run.report(shards: [1])
        let merged = try ReportMerger.merge([a, b])
        let m = merged.timeSeries[2].latency["event_delivery"]!
        #expect(m.histogram == nil)
        #expect(m.p99 == max(a.timeSeries[2].latency["event_delivery"]!.p99, b.timeSeries[2].latency["event_delivery"]!.p99))
        #expect(m.count == a.timeSeries[2].latency["event_delivery"]!.count + b.timeSeries[2].latency["event_delivery"]!.count)
    }

    @Test func testAFailedCheckInOneShardFailsTheMergeWithItsEvidence() throws {
        let run = SyntheticRun(seconds: 5, shards: 2)
        var a = run.report(shards: [0])
        let b = run.report(shards: [1])
        a.checks[0] = CheckResult(name: "ordering", passed: false, evidence: ["wf-7: seq 12 after 14"])
        a.refreshVerdict()
        let merged = try ReportMerger.merge([a, b])
        let ordering = try #require(merged.checks.first { $0.name == "ordering" })
        #expect(!(ordering.passed))
        #expect(ordering.evidence.contains("[shard 1] wf-7: seq 12 after 14"))
        #expect(merged.verdict == .failed)
        #expect(merged.exitCode == 2)
    }

    @Test func testBudgetsAreReEvaluatedOnTheMergedHistogram() throws {
        let run = SyntheticRun(seconds: 30, shards: 2)
        var a = run.report(shards: [0]), b = run.report(shards: [1])
        // A limit between the shards' p99s: per-shard verdicts disagree, the merged value decides.
        let pa = a.metrics["event_delivery"]!.p99, pb = b.metrics["event_delivery"]!.p99
        let whole = run.report(shards: [0, 1]).metrics["event_delivery"]!.p99
        let limit = whole
        a.budgets = [BudgetResult.evaluate(expression: "event_delivery.p99", limit: limit, actual: pa)]
        b.budgets = [BudgetResult.evaluate(expression: "event_delivery.p99", limit: limit, actual: pb)]
        let merged = try ReportMerger.merge([a, b])
        #expect(merged.budgets.count == 1)
        #expect(merged.budgets[0].actual == whole)
        #expect(merged.budgets[0].passed)
    }

    /// Regression (issue 12): the runner writes the whole expression; the merger must read its subject.
    @Test func testBudgetSubjectIsTheTextLeftOfTheComparison() throws {
        #expect(BudgetMerger.subject(of: "event_delivery.p99 <= 250ms") == "event_delivery.p99")
        #expect(BudgetMerger.subject(of: "event_delivery.p99.9<2.5s") == "event_delivery.p99.9")
        #expect(BudgetMerger.subject(of: "event_delivery.rate >= 500/s") == "event_delivery.rate")
        #expect(BudgetMerger.subject(of: "connect.p95") == "connect.p95")
        let run = SyntheticRun(seconds: 30, shards: 2)
        var a = run.report(shards: [0]), b = run.report(shards: [1])
        let whole = run.report(shards: [0, 1]).metrics["connect"]!.p95
        a.budgets = [BudgetResult.evaluate(expression: "connect.p95 <= 3.05ms", limit: 3.05, actual: a.metrics["connect"]!.p95)]
        b.budgets = [BudgetResult.evaluate(expression: "connect.p95 <= 3.05ms", limit: 3.05, actual: nil)]
        let merged = try ReportMerger.merge([a, b])
        #expect(merged.budgets[0].actual == whole)
    }

    @Test func testRefusesToMergeDifferentScenariosOrNothing() {
        let run = SyntheticRun(seconds: 2, shards: 1)
        var other = run.report(shards: [0])
        other.scenarioName = "reconnect-storm"
        if let error = #expect(throws: (any Error).self, performing: { _ = try ReportMerger.merge([run.report(shards: [0]), other]) }) {
            #expect(error as? ReportMergeError == .differentScenarios(["fanout-2k", "reconnect-storm"]))
        }
        if let error = #expect(throws: (any Error).self, performing: { _ = try ReportMerger.merge([]) }) { #expect(error as? ReportMergeError == .nothingToMerge) }
    }

    @Test func testAnAbortedShardMakesTheMergeAborted() throws {
        let run = SyntheticRun(seconds: 3, shards: 2)
        var a = run.report(shards: [0])
        a.verdict = .aborted
        a.abortReason = "budget event_delivery.p99 exceeded (abort_on_fail)"
        a.refreshVerdict()
        let merged = try ReportMerger.merge([a, run.report(shards: [1])])
        #expect(merged.verdict == .aborted)
        #expect(merged.exitCode == 1)
        #expect(merged.abortReason == a.abortReason)
    }
}

@Suite(.serialized) final class ReportMergerSaturationTests {
    @Test func testASaturatedShardFailsLatencyBudgetsAfterTheMerge() throws {
        let run = SyntheticRun(seconds: 5, shards: 2)
        var a = run.report(shards: [0])
        a.generatorHealth.saturated = true
        let merged = try ReportMerger.merge([a, run.report(shards: [1])])
        #expect(merged.generatorHealth.saturated)
        #expect(!(merged.budgets.contains { $0.passed }))
        #expect(merged.exitCode == 1)
    }
}
