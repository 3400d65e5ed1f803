import StampedeJSON
import StampedeReports

/// The verdicts every run gets even when its scenario asked for none: a gate that passes a run
/// in which every connect failed would lie to the CI job that trusts it (issue 15, item 1).
/// The error-rate ceiling is a budget (`Scenario.effectiveBudgets`); this is the check half.
public enum DefaultGates {
    public static let connectedCheckName = "clients_connected"

    /// `clients_connected`: at least one client completed a Socket.IO CONNECT, or was refused on
    /// purpose (a scenario made only of bad tokens). `vacuousPasses`: a worker shard may see none;
    /// the parent fails the check when no shard did (its `observations` add up to zero).
    static func connected(_ scenario: Scenario, observations: CheckObservations, counters: [String: UInt64], connected: UInt64,
                          vacuousPasses: Bool = false) -> CheckResult? {
        guard scenario.requireConnected else { return nil }
        let refusedOnPurpose = observations[.authRejected]
        let attempts = counters["connect.attempts"] ?? 0
        let failures = counters["connect.failures"] ?? 0
        let observed = connected + refusedOnPurpose
        var evidence: [String] = []
        let passed = observed > 0 || vacuousPasses
        if observed > 0 {
            evidence.append("\(connected) CONNECT(s) accepted of \(attempts) attempted")
        } else if !vacuousPasses {
            evidence.append(attempts == 0
                ? "no client attempted to connect: the run measured nothing"
                : "no client ever connected: \(failures) of \(attempts) connect attempt(s) failed")
            evidence.append("set require_connected: false in the scenario if that is what it means to test")
        }
        return CheckResult(name: connectedCheckName, passed: passed, evidence: evidence,
                           details: ["violations": .int(passed ? 0 : 1), "observations": .int(Int64(observed)),
                                     "observed": "clients connected"])
    }

    /// The loud line for a scenario with no checks and no budgets of its own.
    public static func nothingToJudgeWarning(_ scenario: Scenario) -> String? {
        guard scenario.judgesNothing else { return nil }
        var gates: [String] = []
        if scenario.requireConnected { gates.append("a client connected") }
        if let c = scenario.errorRateCeiling { gates.append("errors.rate <= \(String(format: "%g", c * 100))%") }
        let what = gates.isEmpty ? "nothing at all: it cannot fail" : "only the default gates (\(gates.joined(separator: ", ")))"
        return "WARNING: scenario '\(scenario.name)' declares no checks and no budgets; it is judged by \(what)"
    }
}
