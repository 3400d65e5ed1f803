import Foundation

/// How much worse is still "the same": a default tolerance plus per-metric ones.
public struct CompareOptions: Sendable, Equatable {
    /// Relative, 0.10 = 10 %.
    public var tolerance: Double
    /// Keys are `metric.stat` (e.g. "event_delivery.p99") or a bare `metric` for all its statistics,
    /// or a throughput/error row's name ("throughput.events_received", "errors.total").
    public var metricTolerances: [String: Double]
    /// Latency differences below this many ms never count (sub-millisecond jitter on loopback).
    public var minimumDeltaMs: Double

    public init(tolerance: Double = 0.10, metricTolerances: [String: Double] = [:], minimumDeltaMs: Double = 0) {
        self.tolerance = tolerance
        self.metricTolerances = metricTolerances
        self.minimumDeltaMs = minimumDeltaMs
    }

    public func tolerance(metric: String, statistic: String) -> Double {
        metricTolerances["\(metric).\(statistic)"] ?? metricTolerances[metric] ?? tolerance
    }

    /// "10%", "10" (both 10 %) or "2.5%".
    public static func parsePercent(_ text: String) -> Double? {
        var t = text.trimmingCharacters(in: .whitespaces)
        if t.hasSuffix("%") { t.removeLast() }
        guard let v = Double(t), v >= 0, v.isFinite else { return nil }
        return v / 100
    }

    /// "event_delivery.p99=20%".
    public static func parseMetricTolerance(_ text: String) -> (key: String, tolerance: Double)? {
        guard let eq = text.lastIndex(of: "=") else { return nil }
        let key = String(text[..<eq]).trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, let v = parsePercent(String(text[text.index(after: eq)...])) else { return nil }
        return (key, v)
    }
}
