import Foundation

/// One line of the comparison table.
public struct ComparisonRow: Sendable, Equatable {
    public enum Direction: String, Sendable { case lowerIsBetter, higherIsBetter, informational }
    /// `noise`: beyond tolerance but not significant (too few samples, below the minimum delta,
    /// or inside the sampling confidence interval) — shown with `--all`, never a regression.
    public enum Status: String, Sendable { case same, improved, regressed, missing, new, info, noise }

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
    /// Why a row was not judged, or the evidence a change is significant.
    public var note: String? = nil

    /// (current − baseline) / baseline; nil when undefined.
    public var relativeChange: Double? {
        guard let b = baseline, let c = current, b != 0 else { return nil }
        return (c - b) / b
    }

    /// Regressed, improved, missing or new: what `stampede compare` prints by default.
    public var moved: Bool { [.regressed, .improved, .missing, .new].contains(status) }
}

public struct ComparisonResult: Sendable {
    public var rows: [ComparisonRow]
    public var regressions: [ComparisonRow] { rows.filter { $0.status == .regressed || $0.status == .missing } }
    /// 0 when nothing regressed significantly beyond its tolerance, else 1.
    public var exitCode: Int32 { regressions.isEmpty ? 0 : 1 }
}

/// `stampede compare`: every metric's percentiles, throughput, errors and check outcomes of a
/// current run beside a baseline. A row regresses only when the change is beyond its tolerance,
/// above the minimum delta, backed by enough samples, and significant against the sampling
/// noise of both whole-run histograms (`Significance`).
public enum ReportComparator {
    /// `max` is one observation: shown, never judged.
    static let latencyStatistics = ["p50", "p75", "p90", "p95", "p99", "p999", "mean", "max"]

    public static func compare(baseline: RunReport, current: RunReport, options: CompareOptions = CompareOptions()) -> ComparisonResult {
        var rows: [ComparisonRow] = []
        let saturated = saturationNote(baseline, current)
        for metric in Set(baseline.metrics.keys).union(current.metrics.keys).sorted() {
            let b = baseline.metrics[metric], c = current.metrics[metric]
            rows.append(row(metric, "count", b.map { Double($0.count) }, c.map { Double($0.count) }, "", .informational, 0, options))
            for stat in latencyStatistics {
                var r = row(metric, stat, b?.statistic(stat), c?.statistic(stat), "ms", stat == "max" ? .informational : .lowerIsBetter,
                            options.tolerance(metric: metric, statistic: stat), options)
                if let b, let c { LatencySignificance.apply(&r, baseline: b, current: c, options: options) }
                if r.status == .missing, let b, b.count < options.minimumSamples {
                    r.status = .noise
                    r.note = "absent now; the baseline had only \(b.count) samples"
                }
                if let saturated, r.status == .regressed || r.status == .improved {
                    r.status = .noise
                    r.note = "\(saturated): latencies unreliable"
                }
                rows.append(r)
            }
        }
        for counter in Set(baseline.counters.keys).union(current.counters.keys).sorted() {
            var r = row("throughput", "\(counter)/s", rate(baseline, counter), rate(current, counter), "/s", direction(ofCounter: counter),
                        options.tolerance(metric: "throughput", statistic: counter), options)
            countSignificance(&r, Double(baseline.counters[counter] ?? 0), baseline.durationSeconds,
                              Double(current.counters[counter] ?? 0), current.durationSeconds, options)
            rows.append(r)
        }
        if !baseline.timeSeries.isEmpty || !current.timeSeries.isEmpty {
            rows.append(row("throughput", "events_per_second.mean", meanEventsPerSecond(baseline), meanEventsPerSecond(current),
                            "/s", .informational, options.tolerance(metric: "throughput", statistic: "events_per_second"), options))
        }
        var errors = row("errors", "total", Double(baseline.totalErrors), Double(current.totalErrors), "", .lowerIsBetter,
                         options.tolerance(metric: "errors", statistic: "total"), options)
        countSignificance(&errors, Double(baseline.totalErrors), 1, Double(current.totalErrors), 1, options)
        rows.append(errors)
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
        if r.status == .same, unit == "ms", let b, let c, abs(c - b) <= options.minimumDeltaMs,
           abs(c - b) > b * tolerance, options.minimumDeltaMs > 0 {
            r.status = .noise
            r.note = "below the minimum delta of \(BudgetText.number(options.minimumDeltaMs)) ms"
        }
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

    /// A moved counter row stays judged only with enough counts and a Poisson-significant change.
    static func countSignificance(_ r: inout ComparisonRow, _ nb: Double, _ db: Double, _ nc: Double, _ dc: Double,
                                  _ options: CompareOptions) {
        guard r.status == .regressed || r.status == .improved else { return }
        if max(nb, nc) < Double(options.minimumCount) {
            r.status = .noise
            r.note = "fewer than \(options.minimumCount) counted on both sides"
            return
        }
        let moved = Significance.rateMoved(baselineCount: nb, baselineSeconds: db, currentCount: nc, currentSeconds: dc, z: options.z)
        let worse = r.direction == .lowerIsBetter ? moved.up : moved.down
        let better = r.direction == .lowerIsBetter ? moved.down : moved.up
        if (r.status == .regressed && !worse) || (r.status == .improved && !better) {
            r.status = .noise
            r.note = "within Poisson noise (z < \(BudgetText.number(options.z)))"
        }
    }

    /// Failures, errors, timeouts and disconnects are worse when higher; attempts and
    /// observation counts follow the scenario's plan; the rest are throughput.
    static func direction(ofCounter name: String) -> ComparisonRow.Direction {
        if name.hasPrefix("checked.") || name.hasSuffix(".attempts") { return .informational }
        let worse = ["failure", "error", "missed", "disconnect", "dropped", "timeout", "rejected", "rate_limit"]
        if worse.contains(where: { name.contains($0) }) { return .lowerIsBetter }
        return .higherIsBetter
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

/// The latency half of the significance rules, kept beside the comparator that applies it.
enum LatencySignificance {
    static func apply(_ r: inout ComparisonRow, baseline b: MetricSummary, current c: MetricSummary, options: CompareOptions) {
        guard r.status == .regressed || r.status == .improved else { return }
        if min(b.count, c.count) < options.minimumSamples {
            r.status = .noise
            r.note = "\(min(b.count, c.count)) samples < \(options.minimumSamples)"
            return
        }
        guard options.z > 0 else { return }
        let up: Bool, down: Bool
        if r.statistic == "mean" {
            (up, down) = Significance.meanMoved(baseline: b.histogram, current: c.histogram, z: options.z)
        } else if let p = MetricSummary.percentileKeys.first(where: { $0.key == r.statistic })?.percentile {
            let tail = Double(min(b.count, c.count)) * (1 - p / 100)
            if tail < options.minimumTailSamples {
                r.status = .noise
                r.note = String(format: "%.1f samples above %@ < %@", tail, r.statistic, BudgetText.number(options.minimumTailSamples))
                return
            }
            let m = Significance.percentileMoved(baseline: b.histogram, current: c.histogram, percentile: p, z: options.z)
            (up, down) = (m.up, m.down)
            r.note = m.note
        } else { return }
        if (r.status == .regressed && !up) || (r.status == .improved && !down) {
            r.status = .noise
            r.note = "within sampling noise" + (r.note.map { " (\($0))" } ?? "")
        }
    }
}
