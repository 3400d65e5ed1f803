import Foundation
import StampedeReports
import StampedeServer
import Testing
@testable import StampedeScenario

extension Live {
    /// Issue 15 item 5: events a dropper gets back by `since` replay after its outage are
    /// `event_replay`, not `event_delivery` (whose p99/max used to include the outage).
    @Suite(.serialized) struct ReplayedDeliveryTests {
        static let scenario = """
        name: replay
        auth: { users: 2 }
        workflows: { count: 2 }
        phases: [{ name: p, duration: 3s, clients: 4 }]
        groups:
          - name: watcher
            steps: [connect, { subscribe: own }, { await: { until: end } }]
          - name: dropper
            steps:
              - connect
              - subscribe: own
              - think: 500ms
              - disconnect: { mode: abrupt }
              - think: 600ms
              - reconnect: { resume: since }
              - await: { until: end }
        publishers: [{ rate: 40/s, per: workflow, event: node_update }]
        checks: [ordering, recovery]
        drain: 300ms
        """

        static func run(_ text: String) async throws -> RunOutcome {
            let server = try await EndToEndTests.server()
            var o = RunOptions(baseURL: server.baseURL, jwtSecret: "dev-secret", embedded: true)
            o.progress = .quiet
            o.eventLoopThreads = 1
            let outcome = await ScenarioRunner.run(try ScenarioLoader.parse(text), options: o)
            try await server.shutdown()
            return outcome
        }

        @Test func replayedEventsAreTheirOwnMetric() async throws {
            let outcome = try await Self.run(Self.scenario)
            #expect(outcome.exitCode == 0, "\(outcome.report.checks) \(outcome.report.errorsByCode)")
            let live = outcome.report.metrics[MetricName.eventDelivery]?.count ?? 0
            let replayed = outcome.report.metrics[MetricName.eventReplay]?.count ?? 0
            #expect(live > 100)
            // ~600 ms away at 40/s: a couple of dozen events come back by replay.
            #expect(replayed >= 5, "replayed \(replayed)")
            #expect(live + replayed <= outcome.report.counters["events_received"] ?? 0)
        }

        @Test func aRunWithoutOutagesReplaysNothing() async throws {
            let text = Self.scenario.replacingOccurrences(of: "name: dropper", with: "name: dropper\n    weight: 0")
            let outcome = try await Self.run(text.replacingOccurrences(of: "checks: [ordering, recovery]", with: "checks: [ordering]"))
            #expect(outcome.exitCode == 0, "\(outcome.report.checks)")
            #expect(outcome.report.metrics[MetricName.eventReplay] == nil)
        }
    }
}
