import Foundation
import StampedeJSON
@testable import StampedeReports
import StampedeTestSupport

/// A deterministic, realistic-looking run: per-second latency observations for
/// several metrics, spread over `shards` generator processes, so a test can build
/// the whole run's report and each shard's report from the same observations.
struct SyntheticRun {
    struct Observation {
        var second: Int
        var metric: String
        var micros: UInt64
        var shard: Int
    }

    var scenarioName = "fanout-2k"
    var seconds: Int
    var metrics: [String]
    var perSecondPerMetric: Int
    var shards: Int
    var start = Date(timeIntervalSince1970: 1_795_000_000)
    /// Per-second histograms make shard merges exact but cost ~140 KB each in memory:
    /// long synthetic runs leave them out, as the run command does.
    var keepSecondHistograms: Bool
    private(set) var observations: [Observation] = []

    init(seconds: Int, metrics: [String] = ["connect", "event_delivery", "ack", "reconnect", "subscribe"],
         perSecondPerMetric: Int = 50, shards: Int = 2, seed: UInt64 = 42, keepSecondHistograms: Bool = true) {
        self.seconds = seconds
        self.keepSecondHistograms = keepSecondHistograms
        self.metrics = metrics
        self.perSecondPerMetric = perSecondPerMetric
        self.shards = shards
        var rng = SeededRandom(seed: seed)
        for t in 0..<seconds {
            for (m, metric) in metrics.enumerated() {
                let base = UInt64(800 + 700 * m)
                for i in 0..<perSecondPerMetric {
                    // A log-normal-ish body with a rare slow tail, and a spike at t = 30.
                    let u = rng.nextUnit()
                    var v = Double(base) * exp(1.2 * (u - 0.5)) + Double(rng.next() % 300)
                    if rng.next() % 200 == 0 { v *= 40 }
                    if t == 30 { v *= 6 }
                    observations.append(Observation(second: t, metric: metric, micros: UInt64(v), shard: i % shards))
                }
            }
        }
    }

    func connections(second t: Int, shard: Int) -> Int { Swift.min(t * 40, 1000) + shard }
    func events(second t: Int, shard: Int) -> Int { 400 + (t % 7) * 10 + shard }
    func errors(second t: Int, shard: Int) -> Int { (t + shard) % 53 == 0 ? 2 : 0 }

    /// The report of the given shards together (all shards = the whole run).
    func report(shards included: Set<Int>) -> RunReport {
        var whole: [String: LatencyHistogram] = [:]
        for o in observations where included.contains(o.shard) {
            whole[o.metric, default: LatencyHistogram()].record(o.micros)
        }
        let metricSummaries = whole.mapValues { MetricSummary(histogram: $0) }
        // Observations are stored second by second; one second's histograms live at a time.
        let perSecondCount = metrics.count * perSecondPerMetric
        func histograms(second t: Int) -> [String: LatencyHistogram] {
            var out: [String: LatencyHistogram] = [:]
            for o in observations[(t * perSecondCount)..<((t + 1) * perSecondCount)] where included.contains(o.shard) {
                out[o.metric, default: LatencyHistogram()].record(o.micros)
            }
            return out
        }
        let totalConnections = { (t: Int) in (0..<shards).map { connections(second: t, shard: $0) }.reduce(0, +) }

        var series: [SecondSample] = []
        var stats: [StatsSample] = []
        var eventsTotal: UInt64 = 0
        var errorsByCode: [String: Int] = [:]
        for t in 0..<seconds {
            let conns = included.map { self.connections(second: t, shard: $0) }.reduce(0, +)
            let events = included.map { self.events(second: t, shard: $0) }.reduce(0, +)
            let errs = included.map { self.errors(second: t, shard: $0) }.reduce(0, +)
            eventsTotal += UInt64(events)
            if errs > 0 { errorsByCode["ack_timeout", default: 0] += errs }
            series.append(SecondSample(
                t: t, connections: conns, serverConnections: t % 5 == 0 ? totalConnections(t) : nil,
                eventsPerSecond: Double(events), errors: errs,
                latency: histograms(second: t).mapValues { SecondLatency(histogram: $0, keepHistogram: keepSecondHistograms) }))
            if t % 5 == 0 {
                stats.append(StatsSample(t: t, expected: conns, observed: totalConnections(t)))
            }
        }
        let budgets = [
            BudgetResult.evaluate(expression: "event_delivery.p99", limit: 50, actual: metricSummaries["event_delivery"]?.p99),
            BudgetResult.evaluate(expression: "connect.p95", limit: 2, actual: metricSummaries["connect"]?.p95),
        ]
        let phaseEnd = start.addingTimeInterval(Double(seconds))
        return RunReport(
            scenarioName: scenarioName,
            scenario: ["name": .string(scenarioName), "target": "embedded",
                       "clients": ["count": 2000, "transport": "websocket"], "budgets": ["event_delivery.p99": "50ms"]],
            environment: EnvironmentInfo(host: "ci-runner", cores: 2, os: "Linux 6.1", swiftVersion: "6.3",
                                         stampedeVersion: "0.1.0", gitCommit: "0123456789abcdef", workers: included.count),
            target: TargetInfo(url: "http://127.0.0.1:41234", embedded: true),
            start: start, end: phaseEnd,
            phases: [PhaseTiming(name: "ramp", start: start, end: start.addingTimeInterval(Double(seconds) / 4)),
                     PhaseTiming(name: "steady", start: start.addingTimeInterval(Double(seconds) / 4), end: phaseEnd)],
            metrics: metricSummaries,
            counters: ["events_received": eventsTotal, "messages_sent": UInt64(seconds * 4 * included.count)],
            timeSeries: series,
            checks: [
                // Details as the engine's CheckEvaluator writes them: what was observed, how many broke.
                CheckResult(name: "ordering", passed: true, evidence: ["\(eventsTotal) events in order"],
                            details: ["observations": .int(Int64(eventsTotal)), "violations": 0, "observed": "deliveries"]),
                CheckResult(name: "isolation", passed: true,
                            details: ["observations": .int(Int64(eventsTotal)), "violations": 0, "observed": "deliveries"]),
            ],
            budgets: budgets,
            statsSamples: stats,
            generatorHealth: GeneratorHealth(loopLagP99Ms: 1.5, cpuPercent: 40 * Double(included.count), saturated: false),
            errorsByCode: errorsByCode)
    }
}
