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
    /// A latency metric with fewer observations on either side is shown, never judged.
    public var minimumSamples: UInt64
    /// A counter (or the error total) below this on both sides is shown, never judged.
    public var minimumCount: UInt64
    /// A percentile is judged only with this many observations above it on both sides
    /// (p99 needs 2,000 samples, p999 20,000): below that it is one or two outliers, not a tail.
    public var minimumTailSamples: Double = CompareOptions.defaultMinimumTailSamples
    public static let defaultMinimumTailSamples = 20.0
    /// Standard errors a change must exceed to be more than sampling noise (3 ≈ 99.7 % per side).
    public var z: Double

    public static let defaultMinimumDeltaMs = 1.0
    public static let defaultMinimumSamples: UInt64 = 100
    public static let defaultMinimumCount: UInt64 = 20

    public init(tolerance: Double = 0.10, metricTolerances: [String: Double] = [:],
                minimumDeltaMs: Double = CompareOptions.defaultMinimumDeltaMs,
                minimumSamples: UInt64 = CompareOptions.defaultMinimumSamples,
                minimumCount: UInt64 = CompareOptions.defaultMinimumCount, z: Double = 3) {
        self.tolerance = tolerance
        self.metricTolerances = metricTolerances
        self.minimumDeltaMs = minimumDeltaMs
        self.minimumSamples = minimumSamples
        self.minimumCount = minimumCount
        self.z = z
    }

    /// Every change beyond tolerance counts, however noisy (the behaviour before significance).
    public static func strict(tolerance: Double = 0.10) -> CompareOptions {
        var o = CompareOptions(tolerance: tolerance, minimumDeltaMs: 0, minimumSamples: 0, minimumCount: 0, z: 0)
        o.minimumTailSamples = 0
        return o
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
