import Foundation
import StampedeJSON

/// What a check looked at, read back from its `details`, so a passing check shows its evidence
/// ("ordering: 12,345 deliveries checked, 0 violations") instead of a bare "passed" that might
/// have judged nothing. The engine writes `observations`, `violations` and the plural noun of
/// what it observed (`observed`); stats_match writes `compared`/`mismatches`; a merged report
/// keeps each shard's details under `shards`, which are added up here.
public struct CheckObservationLine: Equatable, Sendable {
    public var observations: Int64
    public var violations: Int64
    /// Plural, e.g. "deliveries", "pings", "settled stats samples".
    public var noun: String
    public var verb: String

    /// nil when the check recorded no counts (a deferred shard check, the baseline check).
    public init?(_ check: CheckResult) {
        let parts = check.details["shards"]?.arrayValue ?? [check.details]
        var found: CheckObservationLine?
        for d in parts {
            guard let one = Self.read(d) else { continue }
            if found == nil { found = one } else {
                found!.observations += one.observations
                found!.violations += one.violations
            }
        }
        guard let found else { return nil }
        self = found
    }

    init(observations: Int64, violations: Int64, noun: String, verb: String) {
        self.observations = observations
        self.violations = violations
        self.noun = noun
        self.verb = verb
    }

    static func read(_ d: JSONValue) -> CheckObservationLine? {
        if d["deferred"]?.boolValue == true { return nil }
        if let n = d["observations"]?.intValue {
            return CheckObservationLine(observations: n, violations: d["violations"]?.intValue ?? 0,
                                     noun: d["observed"]?.stringValue ?? "observations", verb: "checked")
        }
        if let n = d["compared"]?.intValue {
            return CheckObservationLine(observations: n, violations: d["mismatches"]?.intValue ?? 0,
                                     noun: "settled stats samples", verb: "compared")
        }
        return nil
    }

    /// "12,345 deliveries checked, 0 violations"
    public var text: String {
        "\(Self.grouped(observations)) \(noun) \(verb), \(Self.grouped(violations)) violation\(violations == 1 ? "" : "s")"
    }

    /// The sentence of `check`, or nil when it recorded no counts.
    public static func sentence(_ check: CheckResult) -> String? { CheckObservationLine(check)?.text }

    /// Thousands separated by commas whatever the locale: reports read the same everywhere.
    static func grouped(_ n: Int64) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
}
