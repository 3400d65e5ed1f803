import Histogram

/// An HdrHistogram of latencies in microseconds.
///
/// Wrapped rather than exposed so that every producer (event-loop recorders,
/// shard merges, decoded reports) shares one bucket layout: histograms with
/// different layouts cannot be merged without loss, and the library traps on
/// a layout mismatch.
public struct LatencyHistogram: Sendable, Equatable {
    /// 60 s in µs: anything slower is a failure, not a latency worth resolving.
    public static let defaultHighestTrackableMicros: UInt64 = 60_000_000
    public static let defaultSignificantDigits = 3

    @usableFromInline var storage: Histogram<UInt64>
    /// Values above the trackable range, recorded as the highest trackable value.
    /// Kept so that a clamp is visible in the report rather than silent.
    public var clampedCount: UInt64 { clamped }
    @usableFromInline var clamped: UInt64 = 0

    /// - Parameter highestTrackableMicros: clamped up to 2, because HdrHistogram traps below that.
    public init(highestTrackableMicros: UInt64 = LatencyHistogram.defaultHighestTrackableMicros,
                significantDigits: Int = LatencyHistogram.defaultSignificantDigits) {
        let digits = SignificantDigits(rawValue: Int8(clamping: significantDigits)) ?? .three
        storage = Histogram(lowestDiscernibleValue: 1,
                            highestTrackableValue: Swift.max(2, highestTrackableMicros),
                            numberOfSignificantValueDigits: digits)
    }

    public var highestTrackableMicros: UInt64 { storage.highestTrackableValue }
    public var significantDigits: Int { Int(storage.numberOfSignificantValueDigits.rawValue) }

    /// Hot path: one bucket increment, no allocation. Values above the range are clamped, never dropped.
    @inlinable
    public mutating func record(_ micros: UInt64) {
        record(micros, count: 1)
    }

    @inlinable
    public mutating func record(_ micros: UInt64, count: UInt64) {
        guard count > 0 else { return }
        let highest = storage.highestTrackableValue
        if micros > highest {
            clamped &+= count
            storage.record(highest, count: count)
        } else {
            storage.record(micros, count: count)
        }
    }

    /// Exact: the result equals one histogram that recorded both inputs' values.
    public mutating func merge(_ other: LatencyHistogram) {
        if other.storage.numberOfSignificantValueDigits == storage.numberOfSignificantValueDigits,
           other.storage.highestTrackableValue <= storage.highestTrackableValue
        {
            storage.add(other.storage)
            clamped &+= other.clamped
            return
        }
        // Layouts differ (a report written with other settings): replay bucket by bucket,
        // which is exact at the coarser of the two resolutions.
        for bucket in other.buckets() { record(bucket.value, count: bucket.count) }
        clamped &+= other.clamped
    }

    public func merging(_ other: LatencyHistogram) -> LatencyHistogram {
        var copy = self
        copy.merge(other)
        return copy
    }

    public mutating func reset() {
        storage.reset()
        clamped = 0
    }

    public var count: UInt64 { storage.totalCount }
    public var isEmpty: Bool { storage.totalCount == 0 }
    /// 0 when empty.
    public var min: UInt64 { storage.totalCount == 0 ? 0 : storage.min }
    /// The highest value equivalent to the largest recorded value (HdrHistogram resolution).
    public var max: UInt64 { storage.max }
    public var mean: Double { storage.mean }
    public var stdev: Double { storage.stdDeviation }

    /// - Parameter p: 0…100. 0 when empty.
    public func valueAtPercentile(_ p: Double) -> UInt64 {
        storage.totalCount == 0 ? 0 : storage.valueAtPercentile(p)
    }


    /// Every non-empty bucket as (highest equivalent value, count), ascending.
    /// Re-recording these reproduces the histogram exactly, which is what
    /// serialization relies on.
    public func buckets() -> [(value: UInt64, count: UInt64)] {
        var out: [(value: UInt64, count: UInt64)] = []
        for iv in storage.recordedValues() { out.append((iv.value, iv.count)) }
        return out
    }

    /// The percentile distribution as (percentile, value) points, the shape HdrHistogram plots use.
    public func percentileDistribution(ticksPerHalfDistance: Int = 5) -> [(percentile: Double, micros: UInt64)] {
        guard storage.totalCount > 0 else { return [] }
        var out: [(percentile: Double, micros: UInt64)] = []
        for iv in storage.percentiles(ticksPerHalfDistance: ticksPerHalfDistance) {
            out.append((iv.percentileLevelIteratedTo, iv.value))
            if iv.percentileLevelIteratedTo >= 100 { break }
        }
        return out
    }

    public static func == (a: LatencyHistogram, b: LatencyHistogram) -> Bool {
        a.clampedCount == b.clampedCount && a.storage == b.storage
    }
}

extension LatencyHistogram: CustomStringConvertible {
    /// Short on purpose: the library's own description prints the whole distribution,
    /// which buries test failure messages.
    public var description: String {
        "LatencyHistogram(count: \(count), min: \(min)µs, p50: \(valueAtPercentile(50))µs, p99: \(valueAtPercentile(99))µs, max: \(max)µs)"
    }
}
