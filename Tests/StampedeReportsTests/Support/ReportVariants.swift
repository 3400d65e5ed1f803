import Foundation
import StampedeJSON
@testable import StampedeReports

/// Every kind of report a reader can be handed (issue 15, item 6: "look at every variant"),
/// built from `SyntheticRun` so the Chromium render test and the unit tests see the same pages.
enum ReportVariant: String, CaseIterable {
    case passed
    case failedChecks = "failed-checks"
    case failedBudgets = "failed-budgets"
    case interrupted
    case couldNotStart = "could-not-start"
    case noBudgets = "no-budgets"
    case recovery
    case mergedShards = "merged-shards"

    /// Seconds in which the failed-checks variant's ordering check broke.
    static let violationSeconds = [12, 13, 14, 41]

    var report: RunReport {
        switch self {
        case .passed:
            var r = Self.base()
            r.budgets = [BudgetResult.evaluate(expression: "event_delivery.p99 <= 250ms", limit: 250, actual: r.metrics["event_delivery"]?.p99),
                         BudgetResult.evaluate(expression: "connect.p95 < 50ms", limit: 50, actual: r.metrics["connect"]?.p95, comparison: "<"),
                         BudgetResult.evaluate(expression: "errors.rate <= 0.01", limit: 0.01, actual: 0.0001, unit: "ratio")]
            r.refreshVerdict()
            return r
        case .failedChecks:
            var r = Self.base()
            for i in r.timeSeries.indices where Self.violationSeconds.contains(r.timeSeries[i].t) {
                r.timeSeries[i].checkViolations = ["ordering": 3]
            }
            r.checks[0] = CheckResult(name: "ordering", passed: false,
                                      evidence: ["t=12.204s client 17 workflow w3: expected seq 41, saw seq 43", "… and 11 more"],
                                      details: ["violations": 12, "observations": .int(Int64(r.counters["events_received"] ?? 0)),
                                                "observed": "deliveries"])
            r.budgets = [BudgetResult.evaluate(expression: "event_delivery.p99 <= 250ms", limit: 250, actual: r.metrics["event_delivery"]?.p99)]
            r.refreshVerdict()
            return r
        case .failedBudgets:
            var r = Self.base()
            r.budgets = [BudgetResult.evaluate(expression: "event_delivery.p99 < 5ms", limit: 5, actual: r.metrics["event_delivery"]?.p99, comparison: "<"),
                         BudgetResult.evaluate(expression: "event_delivery.p50 <= 3ms", limit: 3, actual: r.metrics["event_delivery"]?.p50),
                         BudgetResult.evaluate(expression: "connect.p95 <= 2ms", limit: 2, actual: r.metrics["connect"]?.p95),
                         BudgetResult.evaluate(expression: "events.rate >= 900/s", limit: 900, actual: 412, unit: "per_second", comparison: ">=")]
            r.refreshVerdict()
            return r
        case .interrupted:
            var r = Self.base()
            r.timeSeries = Array(r.timeSeries.prefix(25))
            r.end = r.start.addingTimeInterval(25.4)
            r.verdict = .interrupted
            r.abortReason = "interrupted by SIGINT at 25.4s of 60s"
            r.refreshVerdict()
            return r
        case .couldNotStart:
            return RunReport(scenarioName: "fanout-2k", environment: Self.base().environment,
                             target: TargetInfo(url: "http://127.0.0.1:1", embedded: false),
                             start: Date(timeIntervalSince1970: 1_795_000_000), end: Date(timeIntervalSince1970: 1_795_000_000.2),
                             verdict: .error, abortReason: "target http://127.0.0.1:1 is unreachable (connection refused)")
        case .noBudgets:
            var r = Self.base()
            r.budgets = []
            r.refreshVerdict()
            return r
        case .recovery:
            var run = SyntheticRun(seconds: 60, metrics: ["connect", "event_delivery", "event_replay", "reconnect", "subscribe_ack"],
                                   perSecondPerMetric: 10, shards: 1, keepSecondHistograms: false)
            run.scenarioName = "recovery"
            var r = run.report(shards: [0])
            r.checks.append(CheckResult(name: "recovery", passed: true, evidence: [],
                                        details: ["violations": 0, "observations": 1_840, "observed": "events after a reconnect"]))
            r.budgets = [BudgetResult.evaluate(expression: "event_replay.max <= 2s", limit: 2000, actual: r.metrics["event_replay"]?.max),
                         BudgetResult.evaluate(expression: "reconnect.p99 <= 500ms", limit: 500, actual: r.metrics["reconnect"]?.p99)]
            r.refreshVerdict()
            return r
        case .mergedShards:
            // Twelve latency metrics and four stats fields: the busiest legends a run can have.
            let metrics = ["auth", "connect", "event_delivery", "event_replay", "http", "publish", "reconnect", "subscribe_ack",
                           "workflow.completed", "workflow.first_event", "workflow.results", "workflow.task_card"]
            let run = SyntheticRun(seconds: 40, metrics: metrics, perSecondPerMetric: 6, shards: 2, keepSecondHistograms: false)
            var shards = [run.report(shards: [0]), run.report(shards: [1])]
            for i in shards.indices {
                for field in ["unique_users", "subscriptions", "active_workflows"] {
                    shards[i].statsSamples += stride(from: 0, to: 40, by: 5).map { StatsSample(t: $0, expected: 20 + $0, observed: 20 + $0, field: field) }
                }
            }
            var merged = (try? ReportMerger.merge(shards)) ?? shards[0]
            merged.refreshVerdict()
            return merged
        }
    }

    /// A one-minute, single-process run with passing checks that say what they observed.
    static func base() -> RunReport {
        SyntheticRun(seconds: 60, perSecondPerMetric: 10, shards: 1, keepSecondHistograms: false).report(shards: [0])
    }
}
