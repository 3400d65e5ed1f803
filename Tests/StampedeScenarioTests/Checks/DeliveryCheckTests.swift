import Testing
@testable import StampedeScenario

/// The per-delivery checks, alone: fed deliveries and lifecycle events, judged without a socket.
@Suite struct SequenceCheckTests {
    @Test func consecutiveSeqsHoldAndTheFirstSetsTheBaseline() {
        var c = SequenceCheck()
        #expect(c.observe("w", seq: 5) == .first)
        #expect(c.observe("w", seq: 6) == .next(afterReconnect: false))
        #expect(c.observe("w", seq: 6).ordering == .violated(expected: "seq 7", seen: "seq 6 (duplicate)"))
        #expect(c.observe("w", seq: 3).ordering == .violated(expected: "seq 7", seen: "seq 3 (out of order)"))
        let gap = c.observe("w", seq: 10)
        #expect(gap.ordering == .violated(expected: "seq 7", seen: "seq 10 (gap of 3)"))
        #expect(gap.recovery == .none)
        #expect(c.lastSeen("w") == 10)
    }

    @Test func subscribingWithSinceSetsTheBaselineAndAPlainResubscribeKeepsIt() {
        var c = SequenceCheck()
        c.subscribing("w", since: 4, alreadySubscribed: false)
        #expect(c.observe("w", seq: 5) == .next(afterReconnect: false))
        c.subscribing("w", since: nil, alreadySubscribed: true)
        #expect(c.observe("w", seq: 6) == .next(afterReconnect: false))
        c.subscribing("w", since: nil, alreadySubscribed: false)
        #expect(c.observe("w", seq: 40) == .first)
    }

    @Test func theFirstEventAfterAReconnectJudgesRecovery() {
        var c = SequenceCheck()
        _ = c.observe("w", seq: 1)
        c.resuming("w")
        let ok = c.observe("w", seq: 2)
        #expect(ok.recovery == .observed && ok.ordering == .observed)
        c.resuming("w")
        let missed = c.observe("w", seq: 5)
        #expect(missed.recovery == .violated(expected: "seq 3 after reconnect", seen: "seq 5 (2 missed)"))
        #expect(missed.ordering == .none, "a gap across a reconnect is the recovery check's, not ordering's")
        #expect(missed.missed == 2)
        #expect(c.observe("w", seq: 6).recovery == .none, "only the first event after the reconnect")
    }

    @Test func forgettingStartsAfresh() {
        var c = SequenceCheck()
        _ = c.observe("a", seq: 1)
        _ = c.observe("b", seq: 1)
        c.forget("a")
        #expect(c.observe("a", seq: 9) == .first)
        c.forgetAll()
        #expect(c.observe("b", seq: 9) == .first)
    }
}

@Suite struct TerminalCheckTests {
    @Test func nothingMayFollowTheTerminalStatus() {
        var c = TerminalCheck()
        #expect(c.observe("w", event: "workflow_status", seq: 1, status: "running") == .live)
        #expect(c.observe("w", event: "node_update", seq: 2, status: "completed") == .live, "a node's completion ends nothing")
        #expect(c.observe("w", event: "workflow_status", seq: 3, status: "cancelled").judgement == .observed)
        #expect(c.observe("w", event: "node_update", seq: 4, status: nil).judgement
                == .violated(expected: "nothing after the terminal workflow_status", seen: "node_update seq 4"))
        #expect(c.observe("other", event: "node_update", seq: 1, status: nil) == .live)
        #expect(TerminalCheck.isTerminal("failed") && !TerminalCheck.isTerminal("paused"))
    }
}

@Suite struct IsolationCheckTests {
    @Test func onlySubscribedOrLeavingWorkflowsMayDeliver() {
        var c = IsolationCheck()
        #expect(c.observe("w", event: "node_update", seq: 1).judgement == .violated(expected: "no event (not subscribed)", seen: "node_update seq 1"))
        c.subscribing("w")
        #expect(c.observe("w", event: "node_update", seq: 1) == .entitled)
        c.unsubscribing("w")
        #expect(c.observe("w", event: "node_update", seq: 2) == .entitled, "events may still arrive while the unsubscribe is in flight")
        c.unsubscribed("w")
        #expect(c.observe("w", event: "node_update", seq: 3) != .entitled)
    }

    @Test func aDisconnectEntitlesToNothingAndHandsBackWhatToResume() {
        var c = IsolationCheck()
        c.subscribing("a"); c.subscribing("b"); c.refused("b")
        #expect(c.disconnected() == ["a"])
        #expect(!c.isSubscribed("a"))
        c.restored("a")
        #expect(c.observe("a", event: "e", seq: nil) == .entitled)
        #expect(IsolationCheck.Outcome.otherUsersWorkflowAccepted.judgement == .violated(expected: "forbidden (another user's workflow)", seen: "ok"))
    }
}

@Suite struct HeartbeatCheckTests {
    @Test func pingsAreJudgedAgainstTheIntervalAndTheSlack() {
        var c = HeartbeatCheck(slackMicros: 500_000)
        #expect(c.ping(at: 1) == .unarmed, "nothing to judge before the handshake")
        c.opened(at: 0, pingIntervalMillis: 1000)
        #expect(c.ping(at: 1_000_000) == .onTime)
        #expect(c.ping(at: 2_400_000) == .onTime, "late within the slack")
        #expect(c.ping(at: 2_600_000).judgement == .violated(expected: "ping every 1000ms", seen: "200ms (early)"))
        #expect(c.ping(at: 4_200_000).judgement == .violated(expected: "ping every 1000ms", seen: "1600ms (late)"))
    }
}

@Suite struct RefusalCheckTests {
    @Test func authRefusalsNeedTheRightCode() {
        #expect(RefusalChecks.authRefusal(expected: "token_expired", seen: "token_expired") == .observed)
        #expect(RefusalChecks.authRefusal(expected: "token_expired", seen: "invalid_token")
                == .violated(expected: "CONNECT_ERROR token_expired", seen: "CONNECT_ERROR invalid_token"))
        #expect(RefusalChecks.authRefusal(expected: "token_expired", seen: nil, sid: "s1")
                == .violated(expected: "CONNECT_ERROR token_expired", seen: "accepted (sid s1)"))
        #expect(RefusalChecks.rateLimitIsolated(outcome: "ok") == .observed)
        #expect(RefusalChecks.rateLimitIsolated(outcome: "rate_limited") != .observed)
    }

    @Test func aSpamStepIsJudgedOnlyPastWhatTheBucketAdmits() {
        var t = SpamTally()
        for _ in 0..<30 { t.sentOne() }
        #expect(t.judgement(ratePerSecond: 10, burst: 20, seconds: 1) == .none, "30 ≤ 1.2 × 30: proves nothing")
        for _ in 0..<20 { t.sentOne() }
        #expect(t.judgement(ratePerSecond: 10, burst: 20, seconds: 1) == .violated(expected: "rate_limited after ~30 of 50 requests", seen: "no refusal"))
        t.refusedOne()
        #expect(t.judgement(ratePerSecond: 10, burst: 20, seconds: 1) == .observed)
    }
}

@Suite struct CheckObservationsTests {
    @Test func typedCountsRoundTripThroughTheReportCounters() {
        var o = CheckObservations()
        o.add(.ordering, 3)
        o.add(.slowConsumerBounded)
        var other = CheckObservations()
        other.add(.ordering)
        o.merge(other)
        #expect(o[.ordering] == 4 && o[.isolation] == 0)
        #expect(o.counters == ["checked.ordering": 4, "checked.slow_consumer_bounded": 1])
        #expect(CheckObservations(counters: o.counters) == o)
        #expect(Set(CheckKind.allCases.map(\.ordinal)).count == CheckKind.allCases.count, "ordinals are dense and distinct")
    }
}
