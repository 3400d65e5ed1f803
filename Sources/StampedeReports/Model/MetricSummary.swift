/// One latency metric's aggregate over the whole run.
///
/// The numbers are milliseconds (what people read); the histogram keeps
/// microseconds (what was measured) and is the source of truth — merge and
/// compare recompute the numbers from it rather than trusting them.
public struct MetricSummary: Codable, Sendable, Equatable {
    public var count: UInt64
    public var min: Double
    public var mean: Double
    public var stdev: Double
    public var p50: Double
    public var p75: Double
    public var p90: Double
    public var p95: Double
    public var p99: Double
    public var p999: Double
    public var max: Double
    public var histogram: LatencyHistogram

    /// The percentiles every summary carries, as (JSON key, percentile) pairs.
    public static let percentileKeys: [(key: String, percentile: Double)] = [
        ("p50", 50), ("p75", 75), ("p90", 90), ("p95", 95), ("p99", 99), ("p999", 99.9),
    ]

    public init(histogram: LatencyHistogram) {
        self.histogram = histogram
        count = histogram.count
        min = Self.millis(histogram.min)
        mean = Self.round(histogram.mean / 1000)
        stdev = Self.round(histogram.stdev / 1000)
        p50 = Self.millis(histogram.valueAtPercentile(50))
        p75 = Self.millis(histogram.valueAtPercentile(75))
        p90 = Self.millis(histogram.valueAtPercentile(90))
        p95 = Self.millis(histogram.valueAtPercentile(95))
        p99 = Self.millis(histogram.valueAtPercentile(99))
        p999 = Self.millis(histogram.valueAtPercentile(99.9))
        max = Self.millis(histogram.max)
    }

    /// A statistic by its budget/compare name: count, min, mean, stdev, max, p50 … p999,
    /// or any `pNN[.N]` percentile (read from the histogram). Milliseconds except `count`.
    public func statistic(_ name: String) -> Double? {
        switch name {
        case "count": return Double(count)
        case "min": return min
        case "mean", "avg": return mean
        case "stdev": return stdev
        case "max": return max
        case "p50", "median": return p50
        case "p75": return p75
        case "p90": return p90
        case "p95": return p95
        case "p99": return p99
        case "p999", "p99.9": return p999
        default:
            guard name.hasPrefix("p"), let p = Double(name.dropFirst()), (0...100).contains(p) else { return nil }
            return Self.millis(histogram.valueAtPercentile(p))
        }
    }

    static func millis(_ micros: UInt64) -> Double { Double(micros) / 1000 }
    /// Micro-second precision is all the histogram has; more digits are noise in the JSON.
    static func round(_ ms: Double) -> Double { (ms * 1000).rounded() / 1000 }
}
