import Testing
@testable import StampedeScenario

extension Live {
    /// `batch: K` sends K events in every request at the stated event rate (it used to cap
    /// only a tick's catch-up, so at modest rates every request carried one event).
    @Suite(.serialized) struct BatchingPublisherTests {
        static func scenario(batch: Int) -> String {
            """
            name: batching
            auth: { users: 2 }
            workflows: { count: 3 }
            phases:
              - { name: ramp, duration: 1s, clients: { to: 3 } }
              - { name: hold, duration: 3s }
            groups:
              - name: watcher
                steps: [connect, { subscribe: { workflow: own } }, { await: { until: end } }]
            publishers: [{ rate: 20/s, per: workflow, event: node_update, batch: \(batch), phases: [hold] }]
            checks: [ordering]
            """
        }

        @Test(arguments: [1, 5]) func everyRequestCarriesBatchEvents(batch: Int) async throws {
            let server = try await EndToEndTests.server()
            var o = RunOptions(baseURL: server.baseURL, jwtSecret: "dev-secret", embedded: true)
            o.progress = .quiet
            o.eventLoopThreads = 2
            let outcome = await ScenarioRunner.run(try ScenarioLoader.parse(Self.scenario(batch: batch)), options: o)
            try await server.shutdown()
            let requests = outcome.report.metrics["publish"]?.count ?? 0
            let events = outcome.report.counters["events_published"] ?? 0
            #expect(requests > 0)
            #expect(events == UInt64(requests) * UInt64(batch), "\(events) events in \(requests) requests")
            #expect(outcome.report.errorsByCode.isEmpty, "\(outcome.report.errorsByCode)")
            #expect(outcome.report.checks.allSatisfy { $0.passed }, "\(outcome.report.checks.map { "\($0.name): \($0.evidence)" })")
        }
    }
}
