import StampedeJSON
import StampedeReports

/// Turns the ledger and the checks' observations into pass/fail results with evidence.
/// A check that observed nothing fails: a check that cannot fail is worthless, and one that
/// never ran proves nothing either.
enum CheckEvaluator {
    /// `vacuousPasses`: a worker shard may legitimately see none of something (the parent fails
    /// the check when no shard did).
    static func results(_ specs: [CheckSpec], ledger: CheckLedger, observations: CheckObservations, counters: [String: UInt64],
                        extra: [CheckKind: CheckResult], vacuousPasses: Bool = false) -> [CheckResult] {
        specs.map { spec in
            if let r = extra[spec.kind] { return r }
            let (count, first) = ledger.violations(spec.kind)
            let checked = observations[spec.kind]
            var evidence = first.map(\.description)
            if count > first.count { evidence.append("… and \(count - first.count) more") }
            var passed = count == 0
            // `recovery: { require_restored: true }`: resubscribing with `since` after the server
            // failed to restore a `pid` keeps events gapless, but is not connection state recovery.
            let fallbacks = counters["recovery.fallbacks"] ?? 0
            if spec.kind == .recovery, spec.options["require_restored"]?.boolValue == true, fallbacks > 0 {
                passed = false
                evidence.append("\(fallbacks) reconnect(s) with pid and offset were not restored by the server "
                                + "(a new session; the client fell back to resubscribing with since)")
            }
            if passed && checked == 0 && !vacuousPasses {
                passed = false
                evidence.append("nothing was observed for this check (no \(observedNoun(spec.kind)) during the run)")
            }
            // `observed` names what was counted, so the report can say "12,345 deliveries checked".
            let details: JSONValue = ["violations": .int(Int64(count)), "observations": .int(Int64(checked)),
                                      "observed": .string(observedNoun(spec.kind))]
            return CheckResult(name: spec.kind.rawValue, passed: passed, evidence: evidence, details: details)
        }
    }

    /// The plural of what a check counts in `checked.<kind>`: the report's observation line
    /// ("12,345 deliveries checked") and the vacuous-check message both name it.
    static func observedNoun(_ k: CheckKind) -> String {
        switch k {
        case .ordering, .isolation, .terminal: "deliveries"
        case .recovery: "events after a reconnect"
        case .authRejected: "refused CONNECTs"
        case .rateLimitEnforced: "spam steps over the limit"
        case .rateLimitIsolated: "requests of clients that never spam"
        case .heartbeat: "pings"
        case .slowConsumerBounded: "pause_reading steps"
        default: "samples"
        }
    }
}
