/// One conformance check: a named rule of the contract and the probe that
/// tests it. A MUST that fails fails the run; a SHOULD only warns.
public struct ConformanceCheck: Sendable {
    public enum Level: String, Sendable { case must = "MUST", should = "SHOULD" }

    public var name: String
    public var level: Level
    /// Returns `.skip` when the rule cannot be probed here; throws
    /// `ProbeFailure` with evidence when the server breaks it.
    public var probe: @Sendable (ProbeContext) async throws -> ConformanceOutcome

    public init(_ name: String, _ level: Level = .must, _ probe: @escaping @Sendable (ProbeContext) async throws -> ConformanceOutcome) {
        self.name = name
        self.level = level
        self.probe = probe
    }

    public func run(_ context: ProbeContext) async -> ConformanceResult {
        let outcome: ConformanceOutcome
        do {
            outcome = try await probe(context)
        } catch {
            let evidence = (error as? ProbeFailure)?.description ?? "\(error)"
            outcome = level == .must ? .fail(evidence) : .warn(evidence)
        }
        return ConformanceResult(name: name, level: level, outcome: outcome)
    }
}

public enum ConformanceOutcome: Sendable, Equatable {
    case pass
    case fail(String)
    case warn(String)
    case skip(String)
}

public struct ConformanceResult: Sendable, Equatable {
    public var name: String
    public var level: ConformanceCheck.Level
    public var outcome: ConformanceOutcome

    public init(name: String, level: ConformanceCheck.Level, outcome: ConformanceOutcome) {
        self.name = name
        self.level = level
        self.outcome = outcome
    }

    /// `PASS name`, `FAIL name: evidence`, `WARN name: …`, `SKIP name: why`.
    public var line: String {
        switch outcome {
        case .pass: return "PASS \(name)"
        case .fail(let e): return "FAIL \(name): \(e)"
        case .warn(let e): return "WARN \(name): \(e)"
        case .skip(let e): return "SKIP \(name): \(e)"
        }
    }

    public var failed: Bool { if case .fail = outcome { return true } else { return false } }
    public var passed: Bool { outcome == .pass }
}
