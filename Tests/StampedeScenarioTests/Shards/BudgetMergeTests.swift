import Foundation
import StampedeReports
import Testing
@testable import StampedeScenario

/// Regression (issue 12): `BudgetMerger` took the whole expression the runner writes
/// (`"event_delivery.p99 <= 250ms"`) for the metric, found none, and fell back to the worst
/// shard's value and the AND of the shards' verdicts. These budgets come from the runner's own
/// parser and evaluator, so the test sees exactly what a shard's report.json holds.
@Suite struct BudgetMergeTests {
    static func shard(_ samples: [String: [UInt64]], budgets: [Budget]) -> RunReport {
        var histograms: [String: LatencyHistogram] = [:]
        for (name, values) in samples { for v in values { histograms[name, default: LatencyHistogram()].record(v) } }
        let inputs = BudgetEvaluator.Inputs(histograms: histograms, counters: [:], errors: 0, seconds: 10, saturated: false)
        return RunReport(scenarioName: "shards", environment: EnvironmentInfo(host: "h", cores: 1, os: "linux", swiftVersion: "6.3", stampedeVersion: "0.1.0"),
                         target: TargetInfo(url: "http://127.0.0.1:1", embedded: false),
                         start: Date(timeIntervalSince1970: 1_800_000_000), end: Date(timeIntervalSince1970: 1_800_000_010),
                         metrics: histograms.mapValues { MetricSummary(histogram: $0) },
                         budgets: budgets.map { BudgetEvaluator.evaluate($0, inputs) })
    }

    @Test func latencyBudgetsAreEvaluatedOnTheMergedHistogram() throws {
        let budgets = [try BudgetParser.parse(expression: "connect.p95 <= 4.5ms"),
                       try BudgetParser.parse(subject: "event_delivery.p99", value: "250ms")]
        #expect(budgets.map(\.expression) == ["connect.p95 <= 4.5ms", "event_delivery.p99 <= 250ms"])
        // Shard a is fast, shard b slow: the merged p95 lies between them.
        let a = Self.shard(["connect": Array(repeating: 3_000, count: 190), "event_delivery": [10_000, 20_000]], budgets: budgets)
        let b = Self.shard(["connect": Array(repeating: 3_000, count: 90) + Array(repeating: 5_000, count: 10)], budgets: budgets)
        #expect(a.budgets[0].passed && !b.budgets[0].passed)
        #expect(b.budgets[1].actual == nil && !b.budgets[1].passed)   // shard b saw no deliveries

        let merged = try ReportMerger.merge([a, b])
        var all = LatencyHistogram()
        for v in Array(repeating: UInt64(3_000), count: 280) + Array(repeating: 5_000, count: 10) { all.record(v) }
        let connect = try #require(merged.budgets.first { $0.expression == "connect.p95 <= 4.5ms" })
        #expect(connect.actual == Double(all.valueAtPercentile(95)) / 1000)
        #expect(connect.passed)
        // Data in one shard is data: "no data" only when no shard measured anything.
        let delivery = try #require(merged.budgets.first { $0.expression == "event_delivery.p99 <= 250ms" })
        #expect(delivery.actual == merged.metrics["event_delivery"]?.p99)
        #expect(delivery.passed)
    }
}
