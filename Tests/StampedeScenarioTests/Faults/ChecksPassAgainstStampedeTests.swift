import Foundation
import StampedeReports
import StampedeServer
import Testing
@testable import StampedeScenario

extension Live {
    /// The other half of ChecksCanFailTests: the very scenarios that fail against the faulty
    /// doubles pass against Stampede's server, so each failure is the fault's doing and not the
    /// scenario's.
    @Suite(.serialized) struct ChecksPassAgainstStampedeTests {
        static func run(_ text: String) async throws -> RunOutcome {
            try await ChecksCanFailTests.run(text, against: try await EndToEndTests.server())
        }

        static func expectPassed(_ o: RunOutcome, _ names: [String]) {
            for name in names {
                let c = ChecksCanFailTests.check(o, name)
                #expect(c?.passed == true, "\(name): \(c?.evidence ?? ["missing"]) errors \(o.report.errorsByCode)")
            }
        }

        /// The reorder/drop/duplicate/leak scenario.
        @Test func orderingAndIsolation() async throws {
            let o = try await Self.run(ChecksCanFailTests.watchers + "\nchecks: [ordering, isolation]")
            Self.expectPassed(o, ["ordering", "isolation"])
            #expect(o.exitCode == 0, "\(o.report.checks)")
        }

        /// The skipped-ownership scenario: every probe of another user's workflow is refused.
        @Test func isolationOfOtherUsersWorkflows() async throws {
            #expect(ChecksCanFailTests.intruders != ChecksCanFailTests.watchers, "the probe must really ask for another user's workflow")
            let o = try await Self.run(ChecksCanFailTests.intruders + "\nchecks: [isolation]")
            Self.expectPassed(o, ["isolation"])
        }

        @Test func terminal() async throws {
            let o = try await Self.run(ChecksCanFailTests.searchers)
            Self.expectPassed(o, ["terminal"])
        }

        @Test func statsMatch() async throws {
            let o = try await Self.run(ChecksCanFailTests.watchers.replacingOccurrences(of: "duration: 2s", with: "duration: 4s")
                + "\nchecks: [stats_match]")
            Self.expectPassed(o, ["stats_match"])
        }

        /// The lax-expiry scenario: Stampede refuses every expired token with token_expired.
        @Test func authRejectedExpiredTokens() async throws {
            let text = ChecksCanFailTests.watchers
                .replacingOccurrences(of: "steps: [connect,", with: "steps: [{ connect: { token: expired } },")
                .replacingOccurrences(of: "publishers: [{ rate: 20/s, per: workflow, event: node_update }]", with: "")
            let o = try await Self.run(text + "\nchecks: [auth_rejected]")
            Self.expectPassed(o, ["auth_rejected"])
        }
    }
}
