import Foundation

/// Budgets after a merge: re-evaluated on the merged aggregates when the
/// expression's subject (left of its comparison) names a latency statistic (`metric.p99`, `metric.mean` …);
/// otherwise each shard's verdict stands and the worst actual is kept.
/// As in the run itself, a saturated generator fails every latency budget:
/// its numbers are its own delay, not the server's.
enum BudgetMerger {
    static func merge(_ lists: [[BudgetResult]], metrics: [String: MetricSummary], saturated: Bool) -> [BudgetResult] {
        var order: [String] = []
        var groups: [String: [BudgetResult]] = [:]
        for list in lists {
            for b in list {
                if groups[b.expression] == nil { order.append(b.expression) }
                groups[b.expression, default: []].append(b)
            }
        }
        return order.map { expression in
            let group = groups[expression]!
            let b = group[0]
            if let actual = latencyStatistic(expression, unit: b.unit, in: metrics) {
                var result = BudgetResult.evaluate(expression: expression, limit: b.limit, actual: actual,
                                                   unit: b.unit, comparison: b.comparison)
                if saturated { result.passed = false }
                return result
            }
            let actuals = group.compactMap(\.actual)
            let worst = b.comparison.hasPrefix(">") ? actuals.min() : actuals.max()
            return BudgetResult(expression: expression, limit: b.limit,
                                actual: actuals.count == group.count ? worst : nil,
                                unit: b.unit, comparison: b.comparison, passed: group.allSatisfy(\.passed))
        }
    }

    /// The subject of a budget as the runner writes it: `"event_delivery.p99 <= 250ms"` →
    /// `"event_delivery.p99"` (a bare subject is returned as is).
    static func subject(of expression: String) -> String {
        let lhs = expression.split(maxSplits: 1, whereSeparator: { "<>=".contains($0) }).first.map(String.init) ?? expression
        return lhs.trimmingCharacters(in: .whitespaces)
    }

    /// `metric.stat` with a millisecond unit, when the metric exists.
    static func latencyStatistic(_ expression: String, unit: String, in metrics: [String: MetricSummary]) -> Double? {
        let subject = subject(of: expression)
        guard let dot = subject.lastIndex(of: ".") else { return nil }
        var metric = String(subject[..<dot])
        var stat = String(subject[subject.index(after: dot)...])
        // "x.p99.9": the dot belongs to the percentile.
        if metrics[metric] == nil, let inner = metric.lastIndex(of: "."), metric[metric.index(after: inner)...].hasPrefix("p") {
            stat = String(metric[metric.index(after: inner)...]) + "." + stat
            metric = String(metric[..<inner])
        }
        guard unit == "ms", stat != "count", let summary = metrics[metric] else { return nil }
        return summary.statistic(stat)
    }
}
