/// One check's conclusion about one input (a delivery, a ping, an ack, a refusal). Checks are
/// value types that only judge; the virtual client turns a judgement into an observation
/// (the evidence that a passing check ran) or a violation in the ledger. The strings of a
/// violation are built only on that path, so judging a delivery allocates nothing.
enum CheckJudgement: Equatable {
    /// The input is not evidence for this check either way.
    case none
    /// Judged, and the guarantee held.
    case observed
    case violated(expected: String, seen: String)
}

/// How many inputs each check judged and found holding, by check. Typed, so a renamed check
/// cannot silently stop counting; the report keeps its historical `checked.<check>` counter
/// names, produced and read back only here.
public struct CheckObservations: Sendable, Equatable {
    private var counts = [UInt64](repeating: 0, count: CheckKind.allCases.count)

    public init() {}

    public subscript(kind: CheckKind) -> UInt64 { counts[kind.ordinal] }

    @inline(__always) mutating func add(_ kind: CheckKind, _ n: UInt64 = 1) { counts[kind.ordinal] &+= n }

    mutating func merge(_ other: CheckObservations) {
        for i in counts.indices { counts[i] &+= other.counts[i] }
    }

    /// The report's counters (`checked.ordering`, …); checks that observed nothing are left out.
    public var counters: [String: UInt64] {
        var out: [String: UInt64] = [:]
        for kind in CheckKind.allCases where self[kind] > 0 { out[kind.counterName] = self[kind] }
        return out
    }

    /// Read back from a report's counters (a worker shard's or a machine shard's report).
    public init(counters: [String: UInt64]) {
        for kind in CheckKind.allCases { counts[kind.ordinal] = counters[kind.counterName] ?? 0 }
    }
}

extension CheckKind {
    /// The report counter that holds this check's observations.
    public var counterName: String { "checked.\(rawValue)" }

    /// A dense index for the per-loop counting array (hashing the String raw value per
    /// delivery is what this avoids).
    var ordinal: Int {
        switch self {
        case .ordering: 0
        case .isolation: 1
        case .terminal: 2
        case .recovery: 3
        case .authRejected: 4
        case .rateLimitEnforced: 5
        case .rateLimitIsolated: 6
        case .statsMatch: 7
        case .statsReturnToBaseline: 8
        case .heartbeat: 9
        case .slowConsumerBounded: 10
        }
    }
}
