import Foundation
import StampedeReports

/// The whole run's numbers, merged from every loop once a second (exact: HdrHistogram adds).
struct RunAggregate: Sendable {
    var totals: [String: LatencyHistogram] = [:]
    var counters: [String: UInt64] = [:]
    var observations = CheckObservations()
    var errors: [String: Int] = [:]
    var series: [SecondSample] = []
    /// The engine's own view of what the server should report.
    var expected = ExpectedStats()
    /// Run-wide min of (local receive − server `ts`) over every loop, µs, and how many events fed it.
    var clockGapMinMicros = Int64.max
    var clockSamples = 0

    struct ExpectedStats: Sendable, Equatable {
        var connections = 0
        var uniqueUsers = 0
        var subscriptions = 0
        var activeWorkflows = 0
        /// The distinct users and workflows behind the two counts (a sharded run's merge unions them).
        var userSet: Set<String> = []
        var workflowSet: Set<String> = []
    }

    /// `elapsedSeconds`: the time the parts cover (a late rotation covers more than a second;
    /// dividing by it keeps the rate a rate instead of a spike).
    mutating func absorb(second t: Int, _ parts: [LoopSecond], serverConnections: Int?, elapsedSeconds: Double = 1) {
        var perSecond: [String: LatencyHistogram] = [:]
        var users = Set<String>()
        var workflows: [String: Int] = [:]
        var e = ExpectedStats()
        var errorsThisSecond = 0
        var delivered: UInt64 = 0
        var clockSamples = 0
        for p in parts {
            clockGapMinMicros = min(clockGapMinMicros, p.clockGapMinMicros)
            clockSamples += p.clockSamples
            for (k, h) in p.histograms {
                perSecond[k, default: LatencyHistogram()].merge(h)
                totals[k, default: LatencyHistogram()].merge(h)
            }
            for (k, v) in p.counters { counters[k, default: 0] &+= v }
            observations.merge(p.observations)
            for (k, v) in p.errors { errors[k, default: 0] += v; errorsThisSecond += v }
            delivered &+= p.counters["events_received"] ?? 0
            e.connections += p.connected
            e.subscriptions += p.subscriptions
            users.formUnion(p.connectedUsers)
            for (w, n) in p.subscribersByWorkflow { workflows[w, default: 0] += n }
        }
        if !parts.isEmpty { self.clockSamples = clockSamples }
        e.uniqueUsers = users.count
        e.activeWorkflows = workflows.count
        e.userSet = users
        e.workflowSet = Set(workflows.keys)
        expected = e
        let latency = perSecond.mapValues { SecondLatency(histogram: $0, keepHistogram: false) }
        series.append(SecondSample(t: t, connections: e.connections, serverConnections: serverConnections,
                                   eventsPerSecond: Double(delivered) / max(elapsedSeconds, 0.001), errors: errorsThisSecond, latency: latency))
    }

    /// The report's counters: the engine's own and the checks' observations (`checked.<check>`).
    var reportCounters: [String: UInt64] { counters.merging(observations.counters) { $0 &+ $1 } }

    /// The server's connection count for second `t`, which arrives after that second was absorbed.
    mutating func recordServerConnections(_ n: Int, second t: Int) {
        if let i = series.lastIndex(where: { $0.t == t }) { series[i].serverConnections = n }
    }

    var totalErrors: Int { errors.values.reduce(0, +) }
}
