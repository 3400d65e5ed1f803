import Foundation
import StampedeReports
import StampedeServer
import Testing
@testable import StampedeScenario

extension Live {
    /// The checks ChecksCanFailTests leaves out — heartbeat, recovery, stats_return_to_baseline,
    /// rate_limit_isolated — each run against the faulty double it guards against (must fail, with
    /// evidence naming the violation) and against Stampede's server (must pass), same scenario.
    @Suite(.serialized) struct ProtocolFaultTests {
        static func real() async throws -> EmbeddedServer { try await EndToEndTests.server() }

        static func result(_ o: RunOutcome, _ name: String) -> CheckResult? { ChecksCanFailTests.check(o, name) }

        // MARK: heartbeat

        static let heartbeat = """
        name: heartbeat
        auth: { users: 2 }
        workflows: { count: 2 }
        phases: [{ name: p, duration: 3500ms, clients: 4 }]
        groups:
          - name: idle
            steps: [connect, { await: { until: end } }]
        checks: [heartbeat]
        drain: 200ms
        """

        @Test func heartbeatPassesAgainstStampede() async throws {
            let o = try await ChecksCanFailTests.run(Self.heartbeat, against: try await Self.real())
            #expect(Self.result(o, "heartbeat")?.passed == true, "\(o.report.checks)")
        }

        /// Pings every 300 ms while the handshake says 1 s.
        @Test func heartbeatCatchesEarlyPings() async throws {
            let o = try await ChecksCanFailTests.run(Self.heartbeat, against: try await FaultyDomain.start(.earlyPings))
            let c = Self.result(o, "heartbeat")
            // The check must fail naming the early ping, not merely "nothing observed".
            #expect(c?.passed == false, "\(o.report.checks)")
            #expect(c?.evidence.contains { $0.contains("ping every 1000ms") } == true, "\(c?.evidence ?? [])")
        }

        // MARK: recovery

        static let recovery = """
        name: recovery
        auth: { users: 4 }
        workflows: { count: 4 }
        phases:
          - { name: warm, duration: 1s, clients: { to: 8 } }
          - { name: storm, duration: 2500ms }
        groups:
          - name: dropped
            steps:
              - connect
              - subscribe: own
              - await: { phase: storm }
              - disconnect: { mode: abrupt }
              - think: 300ms
              - reconnect: { resume: since }
              - await: { until: end }
        publishers: [{ rate: 20/s, per: workflow, event: node_update }]
        checks: [recovery]
        drain: 500ms
        """

        /// The server restored the sessions, so the check judged the replay and not a fallback resubscribe.
        static func expectRestored(_ o: RunOutcome) {
            #expect((o.report.counters["recovery.restored"] ?? 0) > 0, "\(o.report.counters)")
            #expect((o.report.counters["recovery.fallbacks"] ?? 0) == 0, "\(o.report.counters)")
        }

        /// `since`: resubscribe with the last seq; `recovery`: Socket.IO connection state recovery.
        static func recovery(_ resume: String) -> String {
            recovery.replacingOccurrences(of: "resume: since", with: "resume: \(resume)")
        }

        @Test(arguments: ["since", "recovery"])
        func recoveryPassesAgainstStampede(_ resume: String) async throws {
            let o = try await ChecksCanFailTests.run(Self.recovery(resume), against: try await Self.real())
            #expect(Self.result(o, "recovery")?.passed == true, "\(o.report.checks) \(o.report.errorsByCode)")
            if resume == "recovery" { Self.expectRestored(o) }
        }

        /// The resubscribe with `since` (or the recovered session's replay) loses the two events that follow it.
        @Test(arguments: ["since", "recovery"])
        func recoveryCatchesEventsLostAcrossAReconnect(_ resume: String) async throws {
            let o = try await ChecksCanFailTests.run(Self.recovery(resume), against: try await FaultyDomain.start(.loseAfterResubscribe))
            let c = Self.result(o, "recovery")
            #expect(c?.passed == false, "\(o.report.checks)")
            #expect(c?.evidence.first?.contains("after reconnect") == true, "\(c?.evidence ?? [])")
            #expect(c?.evidence.first?.contains("missed") == true, "\(c?.evidence ?? [])")
            if resume == "recovery" { Self.expectRestored(o) }
        }

        // MARK: stats_return_to_baseline

        static let baseline = """
        name: baseline
        auth: { users: 4 }
        workflows: { count: 4 }
        phases: [{ name: p, duration: 1500ms, clients: 6 }]
        groups:
          - name: visitor
            steps: [connect, { subscribe: own }, { await: { until: end } }]
        checks: [{ stats_return_to_baseline: { within: 1500ms } }]
        drain: 200ms
        """

        @Test func statsReturnToBaselinePassesAgainstStampede() async throws {
            let o = try await ChecksCanFailTests.run(Self.baseline, against: try await Self.real())
            #expect(Self.result(o, "stats_return_to_baseline")?.passed == true, "\(o.report.checks)")
        }

        /// One connection stays counted after every client left.
        @Test func statsReturnToBaselineCatchesALeakedConnection() async throws {
            let o = try await ChecksCanFailTests.run(Self.baseline, against: try await FaultyDomain.start(.phantomConnection))
            let c = Self.result(o, "stats_return_to_baseline")
            #expect(c?.passed == false, "\(o.report.checks)")
            #expect(c?.evidence.first?.contains("before connections 0") == true, "\(c?.evidence ?? [])")
            #expect(c?.evidence.first?.contains("after connections 1") == true, "\(c?.evidence ?? [])")
        }

        // MARK: rate_limit_isolated

        static let bystanders = """
        name: bystanders
        auth: { users: 4 }
        workflows: { count: 4 }
        phases: [{ name: p, duration: 3s, clients: 5 }]
        groups:
          - name: spammer
            weight: 1
            steps: [connect, { spam: { rate: 80/s, duration: 2s, event: subscribe } }, { await: { until: end } }]
          - name: bystander
            weight: 4
            steps:
              - connect
              - subscribe: own
              - think: 400ms
              - unsubscribe: { workflow: own }
              - subscribe: own
              - think: 400ms
              - unsubscribe: { workflow: own }
              - subscribe: own
              - think: 400ms
              - unsubscribe: { workflow: own }
              - subscribe: own
              - await: { until: end }
        checks: [rate_limit_isolated]
        drain: 300ms
        """

        @Test func rateLimitIsolatedPassesAgainstStampede() async throws {
            let o = try await ChecksCanFailTests.run(Self.bystanders, against: try await Self.real())
            #expect(Self.result(o, "rate_limit_isolated")?.passed == true, "\(o.report.checks) \(o.report.errorsByCode)")
        }

        // The bystanders' steps are written out: `repeat` can't hold them yet, the validator walks
        // its steps as if not connected ("subscribe before connect", ScenarioValidator.walk).

        /// One bucket for the whole server: the spammer empties it and bystanders get refused.
        @Test func rateLimitIsolatedCatchesASharedBucket() async throws {
            let o = try await ChecksCanFailTests.run(Self.bystanders, against: try await FaultyDomain.start(.sharedRateLimit))
            let c = Self.result(o, "rate_limit_isolated")
            #expect(c?.passed == false, "\(o.report.checks)")
            #expect(c?.evidence.first?.contains("this client never spams") == true, "\(c?.evidence ?? [])")
        }
    }
}
