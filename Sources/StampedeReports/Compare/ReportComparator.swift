import Foundation

/// One line of the comparison table.
public struct ComparisonRow: Sendable, Equatable {
    public enum Direction: String, Sendable { case lowerIsBetter, higherIsBetter, informational }
    public enum Status: String, Sendable { case same, improved, regressed, missing, new, info }

    /// "event_delivery", "throughput", "errors", "check".
    public var metric: String
    /// "p99", "events_received/s", "total", a check's name …
    public var statistic: String
    public var baseline: Double?
    public var current: Double?
    public var unit: String
    public var direction: Direction
    public var tolerance: Double
    public var status: Status

    /// (current − baseline) / baseline; nil when undefined.
    public var relativeChange: Double? {
        guard let b = baseline, let c = current, b != 0 else { return nil }
        return (c - b) / b
    }
}

public struct ComparisonResult: Sendable {
    public var rows: [ComparisonRow]
    public var regressions: [ComparisonRow] { rows.filter { $0.status == .regressed || $0.status == .missing } }
    /// 0 when nothing regressed beyond its tolerance, else 1.
    public var exitCode: Int32 { regressions.isEmpty ? 0 : 1 }
}

/// `stampede compare`: every metric's percentiles, throughput, errors and check
/// outcomes of a current run beside a baseline, judged against tolerances.
public enum ReportComparator {
    static let latencyStatistics = ["p50", "p75", "p90", "p95", "p99", "p999", "max", "mean"]

    public static func compare(baseline: RunReport, current: RunReport, options: CompareOptions = CompareOptions()) -> ComparisonResult {
        var rows: [ComparisonRow] = []
        for metric in Set(baseline.metrics.keys).union(current.metrics.keys).sorted() {
            let b = baseline.metrics[metric], c = current.metrics[metric]
            rows.append(row(metric, "count", b.map { Double($0.count) }, c.map { Double($0.count) }, "", .informational, 0, options))
            for stat in latencyStatistics {
                rows.append(row(metric, stat, b?.statistic(stat), c?.statistic(stat), "ms", .lowerIsBetter,
                                options.tolerance(metric: metric, statistic: stat), options))
            }
        }
        for counter in Set(baseline.counters.keys).union(current.counters.keys).sorted() {
            let stat = "\(counter)/s"
            rows.append(row("throughput", stat, rate(baseline, counter), rate(current, counter), "/s", .higherIsBetter,
                            options.tolerance(metric: "throughput", statistic: counter), options))
        }
        if !baseline.timeSeries.isEmpty || !current.timeSeries.isEmpty {
            rows.append(row("throughput", "events_per_second.mean", meanEventsPerSecond(baseline), meanEventsPerSecond(current),
                            "/s", .higherIsBetter, options.tolerance(metric: "throughput", statistic: "events_per_second"), options))
        }
        rows.append(row("errors", "total", Double(baseline.totalErrors), Double(current.totalErrors), "", .lowerIsBetter,
                        options.tolerance(metric: "errors", statistic: "total"), options))
        for name in Set(baseline.checks.map(\.name)).union(current.checks.map(\.name)).sorted() {
            let b = baseline.checks.first { $0.name == name }.map { $0.passed ? 1.0 : 0.0 }
            let c = current.checks.first { $0.name == name }.map { $0.passed ? 1.0 : 0.0 }
            var r = ComparisonRow(metric: "check", statistic: name, baseline: b, current: c, unit: "pass",
                                  direction: .higherIsBetter, tolerance: 0, status: .same)
            switch (b, c) {
            case (1?, 0?): r.status = .regressed
            case (0?, 1?): r.status = .improved
            case (_?, nil): r.status = .info  // a check dropped from the scenario is a scenario change, not a regression
            case (nil, _?): r.status = .new
            default: r.status = .same
            }
            rows.append(r)
        }
        return ComparisonResult(rows: rows)
    }

    static func row(_ metric: String, _ stat: String, _ b: Double?, _ c: Double?, _ unit: String,
                    _ direction: ComparisonRow.Direction, _ tolerance: Double, _ options: CompareOptions) -> ComparisonRow {
        var r = ComparisonRow(metric: metric, statistic: stat, baseline: b, current: c, unit: unit,
                              direction: direction, tolerance: tolerance, status: .same)
        r.status = judge(r, minimumDelta: unit == "ms" ? options.minimumDeltaMs : 0)
        return r
    }

    static func judge(_ r: ComparisonRow, minimumDelta: Double) -> ComparisonRow.Status {
        guard let b = r.baseline else { return r.current == nil ? .same : .new }
        guard let c = r.current else { return r.direction == .informational ? .info : .missing }
        switch r.direction {
        case .informational:
            return .info
        case .lowerIsBetter:
            if c > b * (1 + r.tolerance), c - b > minimumDelta { return .regressed }
            if c < b * (1 - r.tolerance), b - c > minimumDelta { return .improved }
            return .same
        case .higherIsBetter:
            if c < b * (1 - r.tolerance) { return .regressed }
            if c > b * (1 + r.tolerance) { return .improved }
            return .same
        }
    }

    static func rate(_ r: RunReport, _ counter: String) -> Double? {
        guard let total = r.counters[counter], r.durationSeconds > 0 else { return nil }
        return Double(total) / r.durationSeconds
    }

    static func meanEventsPerSecond(_ r: RunReport) -> Double? {
        guard !r.timeSeries.isEmpty else { return nil }
        return r.timeSeries.map(\.eventsPerSecond).reduce(0, +) / Double(r.timeSeries.count)
    }
}
