import Atomics
import NIOCore
import NIOConcurrencyHelpers

/// A Prometheus histogram whose observation is three relaxed atomic adds —
/// no lock and no allocation — so the fan-out path can afford one
/// observation per (publish, event loop). Buckets hold non-cumulative
/// counts; the exposition writer accumulates them at scrape time.
final class AtomicHistogram: Sendable {
    /// Upper bounds in seconds, ascending (the `le` labels, without `+Inf`).
    let bounds: [Double]
    private let boundsNanoseconds: [Int64]
    /// One slot per bound plus the overflow slot (`+Inf` only).
    private let slots: [ManagedAtomic<Int>]
    private let sumNanoseconds = ManagedAtomic<Int>(0)

    /// From 100 µs to 10 s: a socket write on loopback to a stalled cluster commit.
    static let latencyBounds: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                          0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    init(bounds: [Double] = AtomicHistogram.latencyBounds) {
        precondition(zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 }, "bounds must ascend")
        self.bounds = bounds
        boundsNanoseconds = bounds.map { Int64(($0 * 1e9).rounded()) }
        slots = (0...bounds.count).map { _ in ManagedAtomic<Int>(0) }
    }

    func observe(nanoseconds: Int64) {
        let ns = max(0, nanoseconds)
        var i = 0
        while i < boundsNanoseconds.count && ns > boundsNanoseconds[i] { i += 1 }
        slots[i].wrappingIncrement(ordering: .relaxed)
        sumNanoseconds.wrappingIncrement(by: Int(truncatingIfNeeded: ns), ordering: .relaxed)
    }

    /// Time since `start` on the monotonic clock.
    func observe(since start: NIODeadline) {
        observe(nanoseconds: (NIODeadline.now() - start).nanoseconds)
    }

    /// Cumulative counts per bound, then the total (the `+Inf` bucket and
    /// `_count`, equal by construction even while observations race the read).
    func read() -> (cumulative: [Int], count: Int, sumSeconds: Double) {
        var running = 0
        var cumulative: [Int] = []
        cumulative.reserveCapacity(bounds.count)
        for i in 0..<bounds.count {
            running += slots[i].load(ordering: .relaxed)
            cumulative.append(running)
        }
        running += slots[bounds.count].load(ordering: .relaxed)
        return (cumulative, running, Double(sumNanoseconds.load(ordering: .relaxed)) / 1e9)
    }
}

/// HTTP request durations keyed by templated route and status: a bounded
/// label set (a handful of routes times the statuses the API answers), so
/// raw ids never reach a label. One lock per HTTP request to find the
/// histogram — the API path, never the fan-out path.
final class RouteDurations: Sendable {
    struct Key: Hashable, Sendable, Comparable {
        let route: String
        let status: Int
        static func < (a: Key, b: Key) -> Bool { (a.route, a.status) < (b.route, b.status) }
    }

    private let histograms = NIOLockedValueBox<[Key: AtomicHistogram]>([:])

    func observe(route: String, status: Int, since start: NIODeadline) {
        let key = Key(route: route, status: status)
        let h = histograms.withLockedValue { map in
            if let h = map[key] { return h }
            let h = AtomicHistogram()
            map[key] = h
            return h
        }
        h.observe(since: start)
    }

    /// Every (route, status) seen so far, in a stable order for the exposition.
    func all() -> [(Key, AtomicHistogram)] {
        histograms.withLockedValue { $0.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
    }
}
