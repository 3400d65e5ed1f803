/// The checks judged from the server's refusals: a bad token is refused with the right code
/// (`auth_rejected`), a spammer is rate limited (`rate_limit_enforced`) and nobody else is
/// (`rate_limit_isolated`).
enum RefusalChecks {
    /// A CONNECT with a token meant to be refused with `expected`: refused with `seen`, or
    /// accepted (`seen` nil).
    static func authRefusal(expected: String, seen: String?, sid: String? = nil) -> CheckJudgement {
        guard let seen else { return .violated(expected: "CONNECT_ERROR \(expected)", seen: "accepted (sid \(sid ?? "?"))") }
        return seen == expected ? .observed : .violated(expected: "CONNECT_ERROR \(expected)", seen: "CONNECT_ERROR \(seen)")
    }

    /// A reply to a client that never spams: it must not be a rate-limit refusal.
    static func rateLimitIsolated(outcome: String) -> CheckJudgement {
        outcome == "rate_limited"
            ? .violated(expected: "not rate limited (this client never spams)", seen: "rate_limited") : .observed
    }
}

/// One spam step: requests sent faster than the per-socket bucket allows, and the refusals seen.
struct SpamTally {
    private(set) var sent = 0
    private(set) var refused = 0

    mutating func sentOne() { sent += 1 }
    mutating func refusedOne() { refused += 1 }

    /// A step that stayed within 1.2× what the bucket admits proves nothing either way.
    func judgement(ratePerSecond: Double, burst: Double, seconds: Double) -> CheckJudgement {
        let allowed = burst + ratePerSecond * seconds
        guard Double(sent) > allowed * 1.2 else { return .none }
        return refused > 0 ? .observed
            : .violated(expected: "rate_limited after ~\(Int(allowed)) of \(sent) requests", seen: "no refusal")
    }
}
