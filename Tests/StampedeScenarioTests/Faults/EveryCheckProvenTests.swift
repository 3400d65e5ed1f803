import Testing
@testable import StampedeScenario

/// A new check must come with its proof: the fault that makes it fail and the run where
/// Stampede's server passes it. This table is the index of those proofs (Live.* suites).
@Suite struct EveryCheckProvenTests {
    typealias CanFail = Live.ChecksCanFailTests
    typealias Passes = Live.ChecksPassAgainstStampedeTests
    typealias ProtocolFault = Live.ProtocolFaultTests
    typealias SlowConsumer = Live.SlowConsumerTests

    static let proofs: [CheckKind: (fails: [ProofTest], passes: [ProofTest])] = [
        .ordering: ([ProofTest(CanFail.orderingCatchesReorderDropDuplicate)], [ProofTest(Passes.orderingAndIsolation)]),
        .isolation: ([ProofTest(CanFail.isolationCatchesALeak), ProofTest(CanFail.isolationCatchesSkippedOwnership)],
                     [ProofTest(Passes.orderingAndIsolation), ProofTest(Passes.isolationOfOtherUsersWorkflows)]),
        .terminal: ([ProofTest(CanFail.terminalCatchesEventsAfterCompletion)], [ProofTest(Passes.terminal)]),
        .recovery: ([ProofTest(ProtocolFault.recoveryCatchesEventsLostAcrossAReconnect)],
                    [ProofTest(ProtocolFault.recoveryPassesAgainstStampede)]),
        .authRejected: ([ProofTest(CanFail.authRejectedCatchesAcceptedExpiredTokens)], [ProofTest(Passes.authRejectedExpiredTokens)]),
        .rateLimitEnforced: ([ProofTest(CanFail.rateLimitEnforcedCatchesAServerWithoutLimits)],
                             [ProofTest(CanFail.rateLimitChecksPassAgainstStampede)]),
        .rateLimitIsolated: ([ProofTest(ProtocolFault.rateLimitIsolatedCatchesASharedBucket)],
                             [ProofTest(ProtocolFault.rateLimitIsolatedPassesAgainstStampede)]),
        .statsMatch: ([ProofTest(CanFail.statsMatchCatchesAMiscount)], [ProofTest(Passes.statsMatch)]),
        .statsReturnToBaseline: ([ProofTest(ProtocolFault.statsReturnToBaselineCatchesALeakedConnection)],
                                 [ProofTest(ProtocolFault.statsReturnToBaselinePassesAgainstStampede)]),
        .heartbeat: ([ProofTest(ProtocolFault.heartbeatCatchesEarlyPings)], [ProofTest(ProtocolFault.heartbeatPassesAgainstStampede)]),
        .slowConsumerBounded: ([ProofTest(SlowConsumer.failsAgainstAnUnboundedServer)], [ProofTest(SlowConsumer.passesAgainstABoundedServer)]),
    ]

    @Test func everyCheckHasAFaultAndAPass() {
        let unproven = CheckKind.allCases.filter { Self.proofs[$0] == nil }.map(\.rawValue)
        #expect(unproven.isEmpty, "checks without a fault proof: \(unproven)")
    }
}

/// A proof in the table above: a reference to a real test function of its suite, resolved
/// by the compiler, so renaming or deleting a proof breaks this file's build instead of
/// leaving a stale name behind (the table used to hold strings). Only the reference's
/// existence matters; nothing is stored or called.
struct ProofTest: Sendable {
    init<Suite>(_ test: (Suite) -> () async throws -> Void) {}
    /// A parameterized test (`@Test(arguments:)`).
    init<Suite, Argument>(_ test: (Suite) -> (Argument) async throws -> Void) {}
}
