import Testing
@testable import StampedeScenario

/// A new check must come with its proof: the fault that makes it fail and the run where
/// Stampede's server passes it. This table is the index of those proofs (Live.* suites).
@Suite struct EveryCheckProvenTests {
    static let proofs: [CheckKind: (fails: String, passes: String)] = [
        .ordering: ("ChecksCanFailTests.orderingCatchesReorderDropDuplicate", "ChecksPassAgainstStampedeTests.orderingAndIsolation"),
        .isolation: ("ChecksCanFailTests.isolationCatchesALeak, .isolationCatchesSkippedOwnership",
                     "ChecksPassAgainstStampedeTests.orderingAndIsolation, .isolationOfOtherUsersWorkflows"),
        .terminal: ("ChecksCanFailTests.terminalCatchesEventsAfterCompletion", "ChecksPassAgainstStampedeTests.terminal"),
        .recovery: ("ProtocolFaultTests.recoveryCatchesEventsLostAcrossAReconnect", "ProtocolFaultTests.recoveryPassesAgainstStampede"),
        .authRejected: ("ChecksCanFailTests.authRejectedCatchesAcceptedExpiredTokens", "ChecksPassAgainstStampedeTests.authRejectedExpiredTokens"),
        .rateLimitEnforced: ("ChecksCanFailTests.rateLimitEnforcedCatchesAServerWithoutLimits", "ChecksCanFailTests.rateLimitChecksPassAgainstStampede"),
        .rateLimitIsolated: ("ProtocolFaultTests.rateLimitIsolatedCatchesASharedBucket", "ProtocolFaultTests.rateLimitIsolatedPassesAgainstStampede"),
        .statsMatch: ("ChecksCanFailTests.statsMatchCatchesAMiscount", "ChecksPassAgainstStampedeTests.statsMatch"),
        .statsReturnToBaseline: ("ProtocolFaultTests.statsReturnToBaselineCatchesALeakedConnection",
                                 "ProtocolFaultTests.statsReturnToBaselinePassesAgainstStampede"),
        .heartbeat: ("ProtocolFaultTests.heartbeatCatchesEarlyPings", "ProtocolFaultTests.heartbeatPassesAgainstStampede"),
        .slowConsumerBounded: ("SlowConsumerTests.failsAgainstAnUnboundedServer", "SlowConsumerTests.passesAgainstABoundedServer"),
    ]

    @Test func everyCheckHasAFaultAndAPass() {
        let unproven = CheckKind.allCases.filter { Self.proofs[$0] == nil }.map(\.rawValue)
        #expect(unproven.isEmpty, "checks without a fault proof: \(unproven)")
    }
}
