import Foundation
import StampedeReports
import StampedeServer
import StampedeTarget
import Testing
@testable import StampedeScenario


extension Live {
    /// Real runs against the real embedded server on an ephemeral loopback port, with real JWTs.
    @Suite(.serialized) struct EndToEndTests {
        static let scenario = """
        name: e2e
        server: { ping_interval: 1s, ping_timeout: 1s, step_delay: 20ms }
        auth: { users: 4 }
        workflows: { count: 4 }
        phases:
          - { name: ramp, duration: 1s, clients: { to: 12 } }
          - { name: hold, duration: 4s }
        groups:
          - name: watcher
            weight: 3
            steps: [connect, { subscribe: { workflow: own } }, { await: { until: end } }]
          - name: intruder
            weight: 1
            steps:
              - connect: { token: bad_signature }
              - connect
              - subscribe: { workflow: other }
              - await: { until: end }
        publishers: [{ rate: 20/s, per: workflow, event: tool_update, payload_bytes: 100 }]
        checks: [ordering, isolation, auth_rejected, stats_match, stats_return_to_baseline]
        budgets:
          event_delivery.p99: 5s
          errors.rate: 0
        """

        /// An ephemeral-port server with a fast heartbeat and short search steps, tweaked per test.
        static func configuration(_ tweak: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
            var c = ServerConfiguration.fastTimers()
            c.pingTimeoutMs = 1000
            c.connectTimeoutMs = ServerConfiguration().connectTimeoutMs
            tweak(&c)
            return c
        }

        static func server(_ tweak: (inout ServerConfiguration) -> Void = { _ in }) async throws -> EmbeddedServer {
            try await EmbeddedServer.start(configuration(tweak))
        }

        @Test func passesAgainstStampedesServer() async throws {
            let server = try await Self.server()
            let s = try ScenarioLoader.parse(Self.scenario)
            var o = RunOptions(baseURL: server.baseURL, jwtSecret: "dev-secret", embedded: true)
            o.progress = .quiet
            o.eventLoopThreads = 2
            let outcome = await ScenarioRunner.run(s, options: o)
            try await server.shutdown()
            let failed = outcome.report.checks.filter { !$0.passed }.map { "\($0.name): \($0.evidence)" }
            #expect(failed.isEmpty, "\(failed)")
            #expect(outcome.report.budgets.allSatisfy { $0.passed }, "\(outcome.report.budgets)")
            #expect(outcome.exitCode == 0, "errors: \(outcome.report.errorsByCode)")
            #expect((outcome.report.metrics["event_delivery"]?.count ?? 0) > 100)
            #expect(outcome.report.metrics["connect"] != nil && outcome.report.metrics["subscribe_ack"] != nil)
        }

        @Test func budgetFailureGivesExitOne() async throws {
            let server = try await Self.server()
            let s = try ScenarioLoader.parse(Self.scenario, extraBudgets: ["event_delivery.p50 < 1us"])
            var o = RunOptions(baseURL: server.baseURL, jwtSecret: "dev-secret", embedded: true)
            o.progress = .quiet
            let outcome = await ScenarioRunner.run(s, options: o)
            try await server.shutdown()
            #expect(outcome.exitCode == 1)
        }

        /// A server that accepts a wrong-audience token (it checks no audience) fails auth_rejected: the check can fail.
        @Test func authCheckFailsAgainstALaxServer() async throws {
            let server = try await Self.server()
            let text = Self.scenario.replacingOccurrences(of: "token: bad_signature", with: "token: wrong_audience")
            let s = try ScenarioLoader.parse(text)
            var o = RunOptions(baseURL: server.baseURL, jwtSecret: "dev-secret", embedded: true)
            o.progress = .quiet
            let outcome = await ScenarioRunner.run(s, options: o)
            try await server.shutdown()
            let auth = outcome.report.checks.first { $0.name == "auth_rejected" }
            #expect(auth?.passed == false)
            #expect(auth?.evidence.first?.contains("audience_mismatch") == true)
            #expect(outcome.exitCode == 2)
        }

        @Test func unreachableTargetCannotStart() async throws {
            let s = try ScenarioLoader.parse(Self.scenario)
            var o = RunOptions(baseURL: "http://127.0.0.1:1", jwtSecret: "dev-secret", embedded: false)
            o.progress = .quiet
            let outcome = await ScenarioRunner.run(s, options: o)
            #expect(outcome.exitCode == 3)
        }
    }
}
