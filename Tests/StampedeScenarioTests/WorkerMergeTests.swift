import Foundation
import StampedeReports
import StampedeServer
import Testing
@testable import StampedeScenario


extension Live {
    /// `--workers N` in-process: two shards of one plan against one server, merged; the merge
    /// must equal the sum of the shards and every client must have been run exactly once.
    @Suite struct WorkerMergeTests {
        @Test func twoShardsMergeExactly() async throws {
            let server = try await EndToEndTests.server()
            let s = try ScenarioLoader.parse(EndToEndTests.scenario.replacingOccurrences(of: ", stats_match, stats_return_to_baseline", with: ""))
            let ids = try await ScenarioRunner.createWorkflows(s, baseURL: server.baseURL, jwtSecret: "dev-secret")
            func options(_ i: Int) -> RunOptions {
                var o = RunOptions(baseURL: server.baseURL, jwtSecret: "dev-secret", embedded: true)
                o.progress = .quiet
                o.shard = i
                o.shardCount = 2
                o.workflowIDs = ids
                o.eventLoopThreads = 1
                return o
            }
            // Concurrently, like the child processes: shard 0 also runs the publishers.
            async let a = ScenarioRunner.run(s, options: options(0))
            async let b = ScenarioRunner.run(s, options: options(1))
            let shards = await [a.report, b.report]
            try await server.shutdown()
            let merged = try WorkerPool.merge(shards, scenario: s)
            #expect(merged.exitCode == 0, "\(merged.report.checks) \(merged.report.errorsByCode)")
            #expect(merged.report.counters["sessions.started"] == 12)
            for name in ["connect", "event_delivery"] {
                let parts = shards.map { $0.metrics[name]?.count ?? 0 }
                #expect(merged.report.metrics[name]?.count == parts.reduce(0, +))
                #expect(parts.allSatisfy { $0 > 0 })
            }
        }
    }
}
