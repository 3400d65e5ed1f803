import Foundation
import StampedeReports
import StampedeServer
import Testing
@testable import StampedeScenario

/// Issue 15 item 1: a run in which no client ever connected cannot pass, whatever the scenario
/// asked for; the scenario may say otherwise, explicitly.
@Suite struct DefaultGateParsingTests {
    static let bare = """
    name: bare
    auth: { users: 2 }
    phases: [{ name: p, duration: 1s, clients: 3 }]
    groups: [{ name: g, steps: [connect, { await: { until: end } }] }]
    drain: 200ms
    """

    @Test func aScenarioWithoutBudgetsGetsTheDefaultCeiling() throws {
        let s = try ScenarioLoader.parse(Self.bare)
        #expect(s.requireConnected)
        #expect(s.judgesNothing)
        #expect(s.effectiveBudgets.count == 1)
        #expect(s.effectiveBudgets[0].subject == .errorRate && s.effectiveBudgets[0].limit == 0.01)
        #expect(s.effectiveBudgets[0].expression.contains("default ceiling"))
        #expect(DefaultGates.nothingToJudgeWarning(s)?.contains("declares no checks and no budgets") == true)
    }

    @Test func anExplicitErrorBudgetReplacesTheCeiling() throws {
        let s = try ScenarioLoader.parse(Self.bare + "\nbudgets: { errors.rate: 5% }")
        #expect(s.effectiveBudgets.map(\.limit) == [0.05])
        #expect(DefaultGates.nothingToJudgeWarning(s) == nil)
    }

    @Test func theGatesCanBeSwitchedOff() throws {
        let s = try ScenarioLoader.parse(Self.bare + "\nrequire_connected: false\nerror_rate_ceiling: off")
        #expect(!s.requireConnected)
        #expect(s.errorRateCeiling == nil && s.effectiveBudgets.isEmpty)
        #expect(DefaultGates.nothingToJudgeWarning(s)?.contains("cannot fail") == true)
        let five = try ScenarioLoader.parse(Self.bare + "\nerror_rate_ceiling: 5%")
        #expect(five.errorRateCeiling == 0.05)
        #expect(throws: ScenarioFileError.self) { try ScenarioLoader.parse(Self.bare + "\nerror_rate_ceiling: lots") }
    }
}

extension Live {
    @Suite(.serialized) struct DefaultGateRunTests {
        /// Every connect is refused (the generator mints with the wrong secret): the run used to
        /// print "result: passed (exit 0)" with 0/0 checks.
        @Test func everyConnectFailingIsNotAPass() async throws {
            let server = try await EndToEndTests.server()
            let s = try ScenarioLoader.parse(DefaultGateParsingTests.bare)
            var o = RunOptions(baseURL: server.baseURL, jwtSecret: "not-the-servers-secret", embedded: false)
            o.progress = .quiet
            let outcome = await ScenarioRunner.run(s, options: o)
            try await server.shutdown()
            let gate = outcome.report.checks.first { $0.name == DefaultGates.connectedCheckName }
            #expect(gate?.passed == false, "\(outcome.report.checks)")
            #expect(gate?.evidence.first?.contains("no client ever connected") == true)
            #expect(outcome.report.budgets.first?.passed == false, "\(outcome.report.budgets)")
            #expect(outcome.exitCode == 2)
            #expect(outcome.report.verdict == .failed)
        }

        /// The same run passes only when the scenario says plainly that failing connects are fine.
        @Test func theScenarioMaySayOtherwise() async throws {
            let server = try await EndToEndTests.server()
            let s = try ScenarioLoader.parse(DefaultGateParsingTests.bare + "\nrequire_connected: false\nerror_rate_ceiling: off")
            var o = RunOptions(baseURL: server.baseURL, jwtSecret: "not-the-servers-secret", embedded: false)
            o.progress = .quiet
            let outcome = await ScenarioRunner.run(s, options: o)
            try await server.shutdown()
            #expect(outcome.exitCode == 0, "\(outcome.report.checks) \(outcome.report.budgets)")
        }

        /// Against a working server the gates pass and say what they saw.
        @Test func aWorkingRunPassesTheGates() async throws {
            let server = try await EndToEndTests.server()
            let s = try ScenarioLoader.parse(DefaultGateParsingTests.bare)
            var o = RunOptions(baseURL: server.baseURL, jwtSecret: "dev-secret", embedded: true)
            o.progress = .quiet
            let outcome = await ScenarioRunner.run(s, options: o)
            try await server.shutdown()
            #expect(outcome.exitCode == 0, "\(outcome.report.checks) \(outcome.report.budgets) \(outcome.report.errorsByCode)")
            #expect(outcome.report.checks.first?.evidence.first?.contains("accepted") == true)
        }
    }
}
