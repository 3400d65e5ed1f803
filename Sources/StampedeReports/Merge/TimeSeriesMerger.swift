/// Aligns shards' per-second samples on the merged clock and adds them up.
enum TimeSeriesMerger {
    /// Generator-side quantities (connections, events/s, errors) sum; the server's
    /// own count is one server seen by every shard, so the largest reading wins.
    static func merge(_ lists: [[SecondSample]], offsets: [Int]) -> [SecondSample] {
        var byT: [Int: SecondSample] = [:]
        for (list, offset) in zip(lists, offsets) {
            for s in list {
                let t = s.t + offset
                guard var m = byT[t] else {
                    var shifted = s
                    shifted.t = t
                    byT[t] = shifted
                    continue
                }
                m.connections += s.connections
                m.serverConnections = maxOptional(m.serverConnections, s.serverConnections)
                m.eventsPerSecond += s.eventsPerSecond
                m.errors += s.errors
                if let v = s.checkViolations {
                    m.checkViolations = (m.checkViolations ?? [:]).merging(v, uniquingKeysWith: +)
                }
                for (name, l) in s.latency {
                    guard let existing = m.latency[name] else {
                        m.latency[name] = l
                        continue
                    }
                    m.latency[name] = combine(existing, l)
                }
                byT[t] = m
            }
        }
        return byT.keys.sorted().map { byT[$0]! }
    }

    /// Exact when both sides carry histograms; otherwise the worst of each
    /// percentile (an upper bound, never an understatement).
    static func combine(_ a: SecondLatency, _ b: SecondLatency) -> SecondLatency {
        if let ha = a.histogram, let hb = b.histogram {
            return SecondLatency(histogram: ha.merging(hb), keepHistogram: true)
        }
        return SecondLatency(count: a.count + b.count, p50: max(a.p50, b.p50), p90: max(a.p90, b.p90),
                             p99: max(a.p99, b.p99), max: max(a.max, b.max), histogram: nil)
    }

    /// Expected counts are each shard's share and sum; observed is the one server's reading.
    static func mergeStats(_ lists: [[StatsSample]], offsets: [Int]) -> [StatsSample] {
        struct Key: Hashable { var t: Int; var field: String }
        var byKey: [Key: (expected: Int, observed: Int)] = [:]
        for (list, offset) in zip(lists, offsets) {
            for s in list {
                let k = Key(t: s.t + offset, field: s.field)
                let old = byKey[k] ?? (0, Int.min)
                byKey[k] = (old.expected + s.expected, max(old.observed, s.observed))
            }
        }
        return byKey.keys.sorted { $0.t == $1.t ? $0.field < $1.field : $0.t < $1.t }.map { k in
            let v = byKey[k]!
            return StatsSample(t: k.t, expected: v.expected, observed: v.observed, field: k.field)
        }
    }

    static func maxOptional(_ a: Int?, _ b: Int?) -> Int? {
        switch (a, b) {
        case let (x?, y?): return max(x, y)
        default: return a ?? b
        }
    }
}
