import Foundation
import StampedeReports
import StampedeServer
import Testing
@testable import StampedeScenario


extension Live {
    /// Every check shown to fail against a server broken in exactly the way it guards against
    /// (and EndToEndTests shows them passing against Stampede's server).
    @Suite(.serialized) struct ChecksCanFailTests {
        static let watchers = """
        name: faults
        auth: { users: 4 }
        workflows: { count: 4 }
        phases:
          - { name: ramp, duration: 500ms, clients: { to: 8 } }
          - { name: hold, duration: 2s }
        groups:
          - name: watcher
            steps: [connect, { subscribe: { workflow: own } }, { await: { until: end } }]
        publishers: [{ rate: 20/s, per: workflow, event: node_update }]
        drain: 500ms
        """

        /// Watchers that each ask for another user's workflow (skipped ownership lets them in).
        static let intruders = watchers.replacingOccurrences(of: "{ subscribe: { workflow: own } }", with: "{ subscribe: { workflow: other } }")

        /// Clients that create a search workflow and watch it to its terminal status.
        static let searchers = """
        name: terminal
        auth: { users: 2 }
        phases: [{ name: p, duration: 2s, clients: 2 }]
        groups:
          - name: searcher
            steps: [connect, { create_workflow: { type: search } }, { await: { until: end } }]
        checks: [terminal]
        drain: 500ms
        """

        static func run(_ text: String, against server: EmbeddedServer) async throws -> RunOutcome {
            let s = try ScenarioLoader.parse(text)
            var o = RunOptions(baseURL: server.baseURL, jwtSecret: "dev-secret", embedded: true)
            o.progress = .quiet
            o.eventLoopThreads = 2
            let outcome = await ScenarioRunner.run(s, options: o)
            try await server.shutdown()
            return outcome
        }

        static func check(_ o: RunOutcome, _ name: String) -> CheckResult? { o.report.checks.first { $0.name == name } }

        @Test(arguments: [Fault.reorder, .drop, .duplicate])
        func orderingCatchesReorderDropDuplicate(_ fault: Fault) async throws {
            let o = try await Self.run(Self.watchers + "\nchecks: [ordering]", against: try await FaultyDomain.start(fault))
            let c = Self.check(o, "ordering")
            #expect(c?.passed == false)
            #expect(c?.evidence.first?.contains("expected seq") == true, "\(c?.evidence ?? [])")
            #expect(o.exitCode == 2)
            // The report's timeline says when: every violation counted in some second (issue 15, item 6).
            let perSecond = o.report.timeSeries.compactMap { $0.checkViolations?["ordering"] }.reduce(0, +)
            #expect(Int64(perSecond) == c?.details["violations"]?.intValue, "\(o.report.timeSeries.compactMap(\.checkViolations))")
        }

        @Test func isolationCatchesALeak() async throws {
            let o = try await Self.run(Self.watchers + "\nchecks: [isolation]", against: try await FaultyDomain.start(.leakAcrossWorkflows))
            #expect(Self.check(o, "isolation")?.passed == false)
            #expect(Self.check(o, "isolation")?.evidence.first?.contains("not subscribed") == true)
        }

        @Test func isolationCatchesSkippedOwnership() async throws {
            let o = try await Self.run(Self.intruders + "\nchecks: [isolation]", against: try await FaultyDomain.start(.skipOwnership))
            #expect(Self.check(o, "isolation")?.passed == false)
            #expect(Self.check(o, "isolation")?.evidence.first?.contains("forbidden") == true)
        }

        @Test func terminalCatchesEventsAfterCompletion() async throws {
            let o = try await Self.run(Self.searchers, against: try await FaultyDomain.start(.emitAfterTerminal))
            #expect(Self.check(o, "terminal")?.passed == false, "\(o.report.checks)")
            #expect(Self.check(o, "terminal")?.evidence.first?.contains("nothing after the terminal workflow_status") == true)
        }

        @Test func statsMatchCatchesAMiscount() async throws {
            let o = try await Self.run(Self.watchers.replacingOccurrences(of: "duration: 2s", with: "duration: 4s") + "\nchecks: [stats_match]",
                                       against: try await FaultyDomain.start(.miscountStats))
            let c = Self.check(o, "stats_match")
            #expect(c?.passed == false)
            #expect(c?.evidence.first?.contains("connections") == true, "\(c?.evidence ?? [])")
        }

        @Test func authRejectedCatchesAcceptedExpiredTokens() async throws {
            let text = Self.watchers.replacingOccurrences(of: "steps: [connect,", with: "steps: [{ connect: { token: expired } },") + "\nchecks: [auth_rejected]"
            let lax = try await FaultyDomain.start(.duplicate) { $0.leewaySeconds = 1e9 }   // "leeway" that forgives any expiry
            let o = try await Self.run(text.replacingOccurrences(of: "publishers: [{ rate: 20/s, per: workflow, event: node_update }]", with: ""), against: lax)
            #expect(Self.check(o, "auth_rejected")?.passed == false)
            #expect(Self.check(o, "auth_rejected")?.evidence.first?.contains("token_expired") == true)
        }

        static let spam = """
        name: spam
        auth: { users: 4 }
        workflows: { count: 4 }
        phases: [{ name: p, duration: 3s, clients: 4 }]
        groups:
          - name: quiet
            steps: [connect, { subscribe: own }, { await: { until: end } }]
          - name: spammer
            steps: [connect, { spam: { rate: 60/s, duration: 1s } }, { await: { until: end } }]
        checks: [rate_limit_enforced, rate_limit_isolated]
        drain: 500ms
        """

        @Test func rateLimitChecksPassAgainstStampede() async throws {
            let o = try await Self.run(Self.spam, against: try await EndToEndTests.server())
            #expect(Self.check(o, "rate_limit_enforced")?.passed == true, "\(o.report.checks)")
            #expect(Self.check(o, "rate_limit_isolated")?.passed == true, "\(o.report.checks)")
        }

        @Test func rateLimitEnforcedCatchesAServerWithoutLimits() async throws {
            let o = try await Self.run(Self.spam, against: try await EndToEndTests.server { $0.socketEventsPerSecond = 1e6; $0.socketEventBurst = 1e6 })
            #expect(Self.check(o, "rate_limit_enforced")?.passed == false)
            #expect(Self.check(o, "rate_limit_enforced")?.evidence.first?.contains("no refusal") == true, "\(o.report.checks)")
        }
    }

    /// slow_consumer_bounded: passes when the server cuts off a socket that stops reading (and the
    /// reconnect with `since` recovers what it missed), fails when the server buffers without bound.
    @Suite(.serialized) struct SlowConsumerTests {
        static let text = """
        name: slow
        auth: { users: 2 }
        workflows: { count: 2 }
        phases: [{ name: p, duration: 9s, clients: 2 }]
        groups:
          - name: sloth
            steps:
              - connect
              - subscribe: own
              - pause_reading: 3s
              - reconnect: { resume: since }
              - await: { until: end }
        publishers: [{ rate: 100/s, per: workflow, event: node_update, payload_bytes: 50000, batch: 10 }]
        checks: [slow_consumer_bounded, recovery, ordering]
        drain: 1s
        """

        @Test func passesAgainstABoundedServer() async throws {
            // Long heartbeat: an unread socket also misses pings, and that must not be what cuts it off.
            let server = try await EndToEndTests.server { $0.outboundQueueLimit = 256 * 1024; $0.pingIntervalMs = 25_000; $0.pingTimeoutMs = 20_000 }
            let o = try await ChecksCanFailTests.run(Self.text, against: server)
            #expect(ChecksCanFailTests.check(o, "slow_consumer_bounded")?.passed == true, "\(o.report.checks) \(o.report.errorsByCode)")
            #expect(ChecksCanFailTests.check(o, "recovery")?.passed == true, "\(o.report.checks)")
        }

        @Test func failsAgainstAnUnboundedServer() async throws {
            let server = try await EndToEndTests.server { $0.outboundQueueLimit = 1 << 40; $0.pingIntervalMs = 25_000; $0.pingTimeoutMs = 20_000 }
            let o = try await ChecksCanFailTests.run(Self.text, against: server)
            #expect(ChecksCanFailTests.check(o, "slow_consumer_bounded")?.passed == false)
            #expect(ChecksCanFailTests.check(o, "slow_consumer_bounded")?.evidence.first?.contains("still connected") == true, "\(o.report.checks)")
        }
    }
}
