import NIOConcurrencyHelpers
import StampedeReports

/// Where every observer reports. Violations are rare, so a lock on that path is fine; the
/// per-delivery observations stay in the loops' recorders (`LoopRecorder.observations`).
public final class CheckLedger: Sendable {
    public static let evidenceLimit = 10

    struct Entry: Sendable {
        var count = 0
        var first: [Violation] = []
    }

    private let entries = NIOLockedValueBox<[CheckKind: Entry]>([:])
    /// Whole second since the run's start → check name → violations, so the report can mark
    /// when each guarantee broke, not only that it did. One small dictionary per bad second.
    private let bySecond = NIOLockedValueBox<[Int: [String: Int]]>([:])

    public init() {}

    public func report(_ v: Violation) {
        entries.withLockedValue { all in
            var e = all[v.check, default: Entry()]
            e.count += 1
            if e.first.count < Self.evidenceLimit { e.first.append(v) }
            all[v.check] = e
        }
        let second = Swift.max(0, Int(v.at.rounded(.down)))
        bySecond.withLockedValue { $0[second, default: [:]][v.check.rawValue, default: 0] += 1 }
    }

    /// Writes each second's violations into the series' `checkViolations`. A violation in a
    /// second the series does not hold (the drain after the last sample) goes to the nearest
    /// earlier sample, so none is lost from the chart.
    public func annotate(_ series: inout [SecondSample]) {
        guard !series.isEmpty else { return }
        let tally = bySecond.withLockedValue { $0 }
        for (second, counts) in tally {
            let i = series.lastIndex { $0.t <= second } ?? 0
            series[i].checkViolations = (series[i].checkViolations ?? [:]).merging(counts, uniquingKeysWith: +)
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
