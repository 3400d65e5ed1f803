import NIOConcurrencyHelpers

/// Where every observer reports. Violations are rare, so a lock on that path is fine; the
/// per-delivery observations stay in the loops' recorders (`LoopRecorder.observations`).
public final class CheckLedger: Sendable {
    public static let evidenceLimit = 10

    struct Entry: Sendable {
        var count = 0
        var first: [Violation] = []
    }

    private let entries = NIOLockedValueBox<[CheckKind: Entry]>([:])

    public init() {}

    public func report(_ v: Violation) {
        entries.withLockedValue { all in
            var e = all[v.check, default: Entry()]
            e.count += 1
            if e.first.count < Self.evidenceLimit { e.first.append(v) }
            all[v.check] = e
        }
    }

    public func violations(_ kind: CheckKind) -> (count: Int, first: [Violation]) {
        entries.withLockedValue { all in
            let e = all[kind] ?? Entry()
            return (e.count, e.first)
        }
    }

    public var totalViolations: Int { entries.withLockedValue { $0.values.reduce(0) { $0 + $1.count } } }
}
