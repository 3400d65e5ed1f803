import Foundation
import StampedeReports
import StampedeServer
import Testing
@testable import StampedeScenario

extension Live {
    /// Machine shards in-process against one real server: prepare once, shards with a common
    /// start, verdict from the merge; and the refusals a shard owes its operator.
    @Suite struct ShardedRunTests {
        static func options(_ server: EmbeddedServer, shard: Int, of n: Int) -> RunOptions {
            var o = RunOptions(baseURL: server.baseURL, jwtSecret: "dev-secret", embedded: false)
            o.progress = .quiet
            o.eventLoopThreads = 1
            o.shard = shard
            o.shardCount = n
            o.deferVerdict = true
            return o
        }

        @Test func preparedShardsWithACommonStartMergeToOneVerdict() async throws {
            let server = try await EndToEndTests.server()
            let s = try ScenarioLoader.parse(EndToEndTests.scenario)
            let prepared = try await ScenarioRunner.prepare(s, baseURL: server.baseURL, jwtSecret: "dev-secret")
            #expect(prepared.workflowIDs.count == 4 && prepared.baseline != nil)
            let startAt = Date().addingTimeInterval(1)
            func shard(_ i: Int) -> RunOptions {
                var o = Self.options(server, shard: i, of: 2)
                o.workflowIDs = prepared.workflowIDs
                o.statsBaseline = prepared.baseline
                o.startAt = startAt
                return o
            }
            async let a = ScenarioRunner.run(s, options: shard(0))
            async let b = ScenarioRunner.run(s, options: shard(1))
            let shards = await [a, b]
            try await server.shutdown()
            #expect(shards.map(\.exitCode) == [0, 0])
            for r in shards.map(\.report) {
                let info = try #require(r.shard)
                #expect(info.deferredVerdict && (info.startLagMs ?? 99) < 50 && info.clockSamples > 0)
            }
            // The shards' publishers split the workflows: each shard published to two of them.
            #expect(shards.allSatisfy { ($0.report.counters["events_published"] ?? 0) > 0 })
            let merged = try ShardMerge.merge(shards.map(\.report).reversed(), expectShards: 2)
            let failed = merged.report.checks.filter { !$0.passed }.map { "\($0.name): \($0.evidence)" }
            #expect(failed.isEmpty, "\(failed)")
            #expect(merged.exitCode == 0)
            let stats = try #require(merged.report.checks.first { $0.name == "stats_match" })
            #expect((stats.details["compared"]?.intValue ?? 0) > 0, "\(stats)")
            #expect(merged.report.counters["sessions.started"] == 12)
        }

        @Test func aShardWithoutPreparedWorkflowsRefusesToStart() async throws {
            let server = try await EndToEndTests.server()
            let s = try ScenarioLoader.parse(EndToEndTests.scenario)
            let outcome = await ScenarioRunner.run(s, options: Self.options(server, shard: 1, of: 3))
            try await server.shutdown()
            #expect(outcome.exitCode == 3)
            #expect(outcome.report.abortReason?.contains("--workflow-ids @DIR/workflows.json") == true, "\(outcome.report.abortReason ?? "")")
            #expect(outcome.report.shard?.index == 1)
        }

        @Test func aShardReadyAfterTheStartInstantExitsThree() async throws {
            let server = try await EndToEndTests.server()
            let s = try ScenarioLoader.parse(EndToEndTests.scenario)
            var o = Self.options(server, shard: 0, of: 1)
            o.startAt = Date().addingTimeInterval(-5)
            let outcome = await ScenarioRunner.run(s, options: o)
            try await server.shutdown()
            #expect(outcome.exitCode == 3)
            #expect(outcome.report.abortReason?.hasPrefix("late start") == true, "\(outcome.report.abortReason ?? "")")
        }
    }
}
