/// What report.html draws over the data: each budget's limit on the chart of the metric it
/// constrains, and the seconds in which checks were violated, so a reader sees how close the
/// run came to a limit and when a guarantee broke, not only that it did.
enum ChartAnnotations {
    /// The metric and statistic a budget constrains: "event_delivery.p99 <= 50ms" → ("event_delivery", "p99").
    static func subject(of budget: BudgetResult) -> (metric: String, stat: String)? {
        let lhs = budget.expression.prefix { !"<>=".contains($0) }.trimmingCharacters(in: .whitespaces)
        guard let dot = lhs.lastIndex(of: ".") else { return nil }
        return (String(lhs[..<dot]), String(lhs[lhs.index(after: dot)...]))
    }

    /// Latency budgets (ms) on `metric`: the lines of its latency-over-time chart.
    static func latencyThresholds(_ report: RunReport, metric: String) -> [ChartThreshold] {
        thresholds(report) { $0.unit == "ms" && $1.metric == metric }
    }

    /// Throughput budgets on events (`events.rate >= 500/s`): the lines of the events-per-second chart.
    static func eventRateThresholds(_ report: RunReport) -> [ChartThreshold] {
        thresholds(report) { $0.unit == "per_second" && ["events", "events_received"].contains($1.metric) }
    }

    private static func thresholds(_ report: RunReport,
                                   _ include: (BudgetResult, (metric: String, stat: String)) -> Bool) -> [ChartThreshold] {
        report.budgets.compactMap { b in
            guard let s = subject(of: b), include(b, s) else { return nil }
            let unit = b.unit == "per_second" ? "/s" : " \(b.unit)"
            return ChartThreshold(value: b.limit, label: "budget \(s.stat) \(b.comparison) \(BudgetText.number(b.limit))\(unit)",
                                  failed: !b.passed)
        }
    }

    /// Runs of consecutive seconds with check violations, one band each, titled with the counts.
    static func violationBands(_ report: RunReport) -> [ChartBand] {
        var bands: [ChartBand] = []
        var totals: [String: Int] = [:]
        func close() {
            guard !bands.isEmpty else { return }
            let what = totals.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            bands[bands.count - 1].title = "t=\(BudgetText.number(bands[bands.count - 1].from))–\(BudgetText.number(bands[bands.count - 1].to))s check violations: \(what)"
            totals = [:]
        }
        for s in report.timeSeries {
            guard let v = s.checkViolations, !v.isEmpty else { continue }
            if let last = bands.last, last.to == Double(s.t) {
                bands[bands.count - 1].to = Double(s.t + 1)
            } else {
                close()
                bands.append(ChartBand(from: Double(s.t), to: Double(s.t + 1), title: ""))
            }
            totals.merge(v, uniquingKeysWith: +)
        }
        close()
        return bands
    }
}
