import StampedeJSON
import StampedeReports

/// stats_match: once the engine's own counts have held still for `settle` seconds, the server's
/// stats must equal them (± tolerance) — and still hold one sample later. stats_return_to_baseline: after every client left,
/// the stats come back to what they were before the run.
enum StatsChecks {
    static func match(_ samples: [StatsSample], spec: CheckSpec) -> CheckResult {
        let settle = Int(spec.seconds("settle") ?? 2)
        let tolerance = Int(spec.options["tolerance"]?.doubleValue ?? 0)
        var byField: [String: [StatsSample]] = [:]
        for s in samples { byField[s.field, default: []].append(s) }
        var compared = 0
        var bad: [String] = []
        for (field, list) in byField.sorted(by: { $0.key < $1.key }) {
            // Settled = unchanged for `settle` samples before and one after: a client that connects
            // between our count and the server's answer must not read as drift.
            for (i, s) in list.enumerated() where i >= settle && i + 1 < list.count {
                let window = list[(i - settle)...(i + 1)]
                guard window.allSatisfy({ $0.expected == s.expected }) else { continue }
                compared += 1
                if abs(s.observed - s.expected) > tolerance {
                    bad.append("t=\(s.t)s \(field): expected \(s.expected), server said \(s.observed)")
                }
            }
        }
        var evidence = Array(bad.prefix(CheckLedger.evidenceLimit))
        if bad.count > evidence.count { evidence.append("… and \(bad.count - evidence.count) more") }
        if compared == 0 { evidence.append("no settled sample to compare (run longer or lower settle)") }
        return CheckResult(name: CheckKind.statsMatch.rawValue, passed: bad.isEmpty && compared > 0, evidence: evidence,
                           details: ["compared": .int(Int64(compared)), "mismatches": .int(Int64(bad.count)),
                                     "settle_seconds": .int(Int64(settle)), "tolerance": .int(Int64(tolerance))])
    }

    static func baseline(before: StatsSampler.Observed?, after: StatsSampler.Observed?, waited: Double) -> CheckResult {
        guard let before, let after else {
            return CheckResult(name: CheckKind.statsReturnToBaseline.rawValue, passed: false, evidence: ["the stats endpoint did not answer"])
        }
        let ok = before == after
        // A pass shows what it compared, as every passing check does (issue 15, item 6).
        let evidence = ok ? ["back to the baseline (\(describe(before))) \(String(format: "%.1f", waited))s after the clients left"]
            : ["after \(String(format: "%.1f", waited))s: before \(describe(before)), after \(describe(after))"]
        return CheckResult(name: CheckKind.statsReturnToBaseline.rawValue, passed: ok, evidence: evidence,
                           details: ["waited_seconds": .double(waited)])
    }

    static func describe(_ o: StatsSampler.Observed) -> String {
        "connections \(o.connections), users \(o.uniqueUsers), subscriptions \(o.subscriptions), active workflows \(o.activeWorkflows)"
    }
}
