import Foundation
import StampedeReports
import Testing
@testable import StampedeScenario

/// `stampede report merge --expect-shards N`: complete sets only, one verdict judged on the
/// merged data — stats_match on the merged series with distinct users counted as a union.
@Suite struct ShardMergeTests {
    static let scenario = try! ScenarioLoader.parse("""
        name: merge-me
        auth: { users: 3 }
        phases: [{ name: hold, duration: 6s, clients: { from: 2, to: 2 } }]
        groups: [{ name: g, weight: 1, steps: [connect, { await: { until: end } }] }]
        checks: [ordering, { stats_match: { settle: 1s } }, stats_return_to_baseline]
        budgets: { connect.p99: 5ms }
        """)
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let baseline = StatsCounts(connections: 7, uniqueUsers: 2, subscriptions: 0, activeWorkflows: 0)

    /// Shard i of n: one connection of `users`, connect latency `micros`, server readings `observed`.
    static func shard(_ i: Int, of n: Int, users: [String], micros: UInt64, observedUsers: Int, host: String = "h") -> RunReport {
        let seg = try! ExecutionSegment.shard(i, of: n)
        var info = ShardInfo(index: i, count: n, segment: seg.description, sequence: seg.sequenceText, deferredVerdict: true, host: host)
        info.statsBaseline = baseline
        info.statsAfter = baseline
        info.statsAfterAt = start.addingTimeInterval(7 + Double(i))
        var h = LatencyHistogram()
        h.record(micros)
        var samples: [StatsSample] = []
        for t in 1...6 {
            samples.append(StatsSample(t: t, expected: 1 + baseline.connections, observed: n + baseline.connections, field: "connections"))
            var u = StatsSample(t: t, expected: users.count + baseline.uniqueUsers, observed: observedUsers + baseline.uniqueUsers, field: "unique_users")
            if t == 1 { u.members = users }
            samples.append(u)
        }
        var r = RunReport(scenarioName: "merge-me", scenario: scenario.resolved,
                          environment: EnvironmentInfo(host: host, cores: 2, os: "linux", swiftVersion: "6.3", stampedeVersion: "0.1.0"),
                          target: TargetInfo(url: "http://10.0.0.1:8080", embedded: false), start: start, end: start.addingTimeInterval(6),
                          metrics: ["connect": MetricSummary(histogram: h)], counters: ["checked.ordering": 10],
                          checks: [CheckResult(name: "ordering", passed: true, details: ["observations": .int(10)]),
                                   ShardRecord.deferredCheck(.statsMatch), ShardRecord.deferredCheck(.statsReturnToBaseline)],
                          budgets: [BudgetResult.evaluate(expression: "connect.p99 <= 5ms", limit: 5, actual: Double(micros) / 1000)],
                          statsSamples: samples)
        r.shard = info
        return r
    }

    @Test func distinctUsersMergeAsAUnionAndStatsAreJudgedOnTheMergedSeries() throws {
        // Both shards hold a client of u1: the server counts 3 users, not 4.
        let a = Self.shard(0, of: 2, users: ["u0", "u1"], micros: 2_000, observedUsers: 3)
        let b = Self.shard(1, of: 2, users: ["u1", "u2"], micros: 9_000, observedUsers: 3)
        let outcome = try ShardMerge.merge([b, a], expectShards: 2)
        let users = outcome.report.statsSamples.filter { $0.field == "unique_users" }
        #expect(users.allSatisfy { $0.expected == 3 + Self.baseline.uniqueUsers && $0.drift == 0 })
        let connections = outcome.report.statsSamples.filter { $0.field == "connections" }
        #expect(connections.allSatisfy { $0.expected == 2 + Self.baseline.connections })
        let stats = try #require(outcome.report.checks.first { $0.name == "stats_match" })
        #expect(stats.passed && stats.details["compared"]?.intValue ?? 0 > 0, "\(stats)")
        #expect(outcome.report.checks.first { $0.name == "stats_return_to_baseline" }?.passed == true)
        // The budget is judged on the merged histogram (2 ms and 9 ms: p99 9 ms > 5 ms).
        #expect(outcome.report.budgets.map(\.passed) == [false])
        #expect(outcome.exitCode == 1)
        #expect(outcome.report.shards?.map(\.index) == [0, 1])
    }

    @Test func aServerThatMiscountsFailsStatsMatchOnTheMergedSeries() throws {
        let a = Self.shard(0, of: 2, users: ["u0", "u1"], micros: 2_000, observedUsers: 4)
        let b = Self.shard(1, of: 2, users: ["u1", "u2"], micros: 2_000, observedUsers: 4)
        let outcome = try ShardMerge.merge([a, b], expectShards: 2)
        #expect(outcome.report.checks.first { $0.name == "stats_match" }?.passed == false)
        #expect(outcome.exitCode == 2)
    }

    @Test func aSecondOneShardDidNotSampleIsLeftOutOfTheMergedSeries() throws {
        let a = Self.shard(0, of: 2, users: ["u0", "u1"], micros: 2_000, observedUsers: 3)
        var b = Self.shard(1, of: 2, users: ["u1", "u2"], micros: 2_000, observedUsers: 3)
        b.statsSamples.removeAll { $0.t >= 5 }   // its stats requests failed from t = 5 on
        let outcome = try ShardMerge.merge([a, b], expectShards: 2)
        #expect(Set(outcome.report.statsSamples.map(\.t)) == [1, 2, 3, 4])
        #expect(outcome.report.checks.first { $0.name == "stats_match" }?.passed == true)
    }

    @Test func incompleteOrDuplicatedSetsAreRefused() {
        let a = Self.shard(0, of: 3, users: ["u0"], micros: 1_000, observedUsers: 1, host: "a")
        let b = Self.shard(1, of: 3, users: ["u1"], micros: 1_000, observedUsers: 1, host: "b")
        let c = Self.shard(2, of: 3, users: ["u2"], micros: 1_000, observedUsers: 1, host: "c")
        func refusal(_ reports: [RunReport], _ expect: Int?) -> String {
            do { _ = try ShardMerge.merge(reports, expectShards: expect); return "merged" } catch { return "\(error)" }
        }
        #expect(refusal([a, b], 3).contains("missing shard 2 (2/3:1) of 3"))
        #expect(refusal([a, a, c], 3).contains("shard 0 (0:1/3) appears twice"))
        #expect(refusal([a, b, c], 2).contains("--expect-shards 2, but the shards were run as 3 segments"))
        var plain = c
        plain.shard = nil
        #expect(refusal([a, b, plain], 3).contains("report 3 is not a shard's report"))
        #expect(refusal([a, b, c], 3) == "merged")
    }

    @Test func aShardThatCouldNotStartMakesTheMergeExitThree() throws {
        var late = Self.shard(1, of: 2, users: [], micros: 1_000, observedUsers: 1)
        late.verdict = .error
        late.abortReason = "late start: --start-at … passed 4.2s ago"
        late.exitCode = 3
        let outcome = try ShardMerge.merge([Self.shard(0, of: 2, users: ["u0"], micros: 1_000, observedUsers: 1), late], expectShards: 2)
        #expect(outcome.exitCode == 3 && outcome.report.verdict == .error)
        #expect(outcome.report.abortReason?.contains("late start") == true)
    }

    @Test func startAtAcceptsRFC3339AndUnixSeconds() {
        #expect(StartGate.parse("1800000000") == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(StartGate.parse("1800000000.5") == Date(timeIntervalSince1970: 1_800_000_000.5))
        #expect(StartGate.parse("2026-12-01T21:30:00.250+01:00")?.timeIntervalSince1970 == 1_796_157_000.25)
        #expect(StartGate.parse("tomorrow") == nil)
    }
}
