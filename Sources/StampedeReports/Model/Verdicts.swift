import StampedeJSON

/// A pass/fail fact about the run (ordering held, isolation held, …) with the evidence behind it.
public struct CheckResult: Codable, Sendable, Equatable {
    public var name: String
    public var passed: Bool
    /// Human-readable lines; for a failure, the first few offending observations.
    public var evidence: [String]
    /// Machine-readable detail (counts, first violation …), free-form per check.
    public var details: JSONValue

    public init(name: String, passed: Bool, evidence: [String] = [], details: JSONValue = .object([:])) {
        self.name = name
        self.passed = passed
        self.evidence = evidence
        self.details = details
    }

    enum CodingKeys: String, CodingKey { case name, passed, evidence, details }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        passed = try c.decode(Bool.self, forKey: .passed)
        evidence = try c.decodeIfPresent([String].self, forKey: .evidence) ?? []
        details = try c.decodeIfPresent(CodableJSON.self, forKey: .details)?.value ?? .object([:])
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(passed, forKey: .passed)
        try c.encode(evidence, forKey: .evidence)
        try c.encode(CodableJSON(details), forKey: .details)
    }
}

/// A budget as evaluated at the end of the run: `actual <= limit` (or `>=` for floors).
public struct BudgetResult: Codable, Sendable, Equatable {
    /// As written in the scenario, e.g. "event_delivery.p99".
    public var expression: String
    /// The limit in `unit`, e.g. 50 for "50ms".
    public var limit: Double
    /// The measured value in `unit`; nil when the run produced nothing to measure.
    public var actual: Double?
    /// "ms", "count", "ratio", "per_second" …
    public var unit: String
    /// "<=" or "<" (a ceiling, the usual), ">=" or ">" (a floor, e.g. throughput), as written.
    public var comparison: String
    public var passed: Bool

    public init(expression: String, limit: Double, actual: Double?, unit: String = "ms",
                comparison: String = "<=", passed: Bool) {
        self.expression = expression
        self.limit = limit
        self.actual = actual
        self.unit = unit
        self.comparison = comparison
        self.passed = passed
    }

    /// Evaluates `actual` against `limit` with `comparison`; a missing actual fails.
    public static func evaluate(expression: String, limit: Double, actual: Double?, unit: String = "ms",
                                comparison: String = "<=") -> BudgetResult {
        let passed: Bool
        if let actual {
            switch comparison {
            case ">=": passed = actual >= limit
            case ">": passed = actual > limit
            case "<": passed = actual < limit
            default: passed = actual <= limit
            }
        } else {
            passed = false
        }
        return BudgetResult(expression: expression, limit: limit, actual: actual, unit: unit,
                            comparison: comparison, passed: passed)
    }
}

/// The run's outcome; `RunReport.exitCode(for:checks:budgets:)` maps it to the process exit code.
public enum Verdict: String, Codable, Sendable, Equatable {
    case passed
    case failed
    /// Stopped early by a budget's `abort_on_fail`.
    case aborted
    /// The run could not start or proceed (unreachable target, bad scenario …).
    case error
    /// Stopped by SIGINT/SIGTERM: the load stopped, deliveries drained, the numbers so far are
    /// in the report, but they judge only part of the plan (exit 4).
    case interrupted
}
