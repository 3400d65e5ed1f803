import StampedeReports

/// Evaluates budgets over the merged aggregates — periodically (abort_on_fail) and once after
/// the drain. A saturated generator fails every latency budget: its numbers are not the server's.
enum BudgetEvaluator {
    struct Inputs {
        var histograms: [String: LatencyHistogram]
        var counters: [String: UInt64]
        var errors: Int
        var seconds: Double
        var saturated: Bool
    }

    static func evaluate(_ b: Budget, _ i: Inputs) -> BudgetResult {
        let actual: Double?
        var unit = "ms"
        switch b.subject {
        case .latency(let metric, let stat):
            if let h = i.histograms[metric], !h.isEmpty {
                switch stat {
                case .percentile(let p): actual = Double(h.valueAtPercentile(p)) / 1000
                case .mean: actual = h.mean / 1000
                case .max: actual = Double(h.max) / 1000
                case .min: actual = Double(h.min) / 1000
                }
            } else { actual = nil }
        case .errorRate:
            unit = "ratio"
            let ops = ["connect", "subscribe", "publish", "workflow", "spam"].reduce(UInt64(0)) { $0 + (i.counters["\($1).attempts"] ?? 0) }
                + (i.counters["events_received"] ?? 0)
            actual = ops == 0 ? (i.errors == 0 ? 0 : 1) : Double(i.errors) / Double(ops)
        case .failureRate(let op):
            unit = "ratio"
            let key = op == "auth" ? "connect" : op
            let attempts = i.counters["\(key).attempts"] ?? 0
            actual = attempts == 0 ? 0 : Double(i.counters["\(key).failures"] ?? 0) / Double(attempts)
        case .throughput(let metric):
            unit = "per_second"
            let n = i.histograms[metric]?.count ?? i.counters[metric] ?? (metric == "events" ? i.counters["events_received"] : nil)
            actual = n.map { Double($0) / max(i.seconds, 0.001) }
        case .count(let counter):
            unit = "count"
            actual = counter == "errors.count" ? Double(i.errors) : Double(i.counters[counter] ?? 0)
        }
        var passed = actual.map { b.comparison.holds($0, b.limit) } ?? false
        if case .latency = b.subject, i.saturated { passed = false }
        // As written: a strict `<` stays `<` in every report (issue 15, item 6).
        return BudgetResult(expression: b.expression, limit: b.limit, actual: actual, unit: unit,
                            comparison: b.comparison.rawValue, passed: passed)
    }
}
