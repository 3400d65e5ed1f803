/// The charts of report.html, built from the report's series. Every chart is
/// always emitted (empty ones say so) so a reader — and the Chromium test — can
/// rely on the set being complete.
enum ReportCharts {
    static let maxPoints = 720
    static func color(_ i: Int) -> String { ChartPalette.color(i) }

    /// The stable ids of the charts every page has, besides one `latency-<metric>` per metric.
    static let fixedChartIDs = ["percentile-distribution", "connections", "events-per-second", "errors"]

    static func all(_ report: RunReport) -> [LineChart] {
        var timeCharts = metricNames(report).map { latencyOverTime(report, metric: $0) }
        if timeCharts.isEmpty { timeCharts.append(latencyOverTime(report, metric: nil)) }
        timeCharts += [connections(report), eventsPerSecond(report), errors(report)]
        if !report.statsSamples.isEmpty { timeCharts.append(statsDrift(report)) }
        let span = [0, report.durationSeconds.rounded(.up)]
        let bands = ChartAnnotations.violationBands(report)
        for i in timeCharts.indices {
            timeCharts[i].xExtent = span
            timeCharts[i].bands = bands
        }
        // The distribution sits after the per-metric charts, before the run-wide ones.
        let perMetric = timeCharts.count - (report.statsSamples.isEmpty ? 3 : 4)
        return Array(timeCharts[..<perMetric]) + [percentileDistribution(report)] + Array(timeCharts[perMetric...])
    }

    /// Metrics from the summary and from the series, in name order.
    static func metricNames(_ report: RunReport) -> [String] {
        var names = Set(report.metrics.keys)
        for s in report.timeSeries { names.formUnion(s.latency.keys) }
        return names.sorted()
    }

    static func latencyOverTime(_ report: RunReport, metric: String?) -> LineChart {
        var series: [ChartSeries] = []
        if let metric {
            let stats: [(String, KeyPath<SecondLatency, Double>, String)] = [
                ("p50", \.p50, color(0)), ("p90", \.p90, color(2)), ("p99", \.p99, color(1)), ("max", \.max, color(3)),
            ]
            for (name, path, color) in stats {
                let points = report.timeSeries.compactMap { s -> (x: Double, y: Double)? in
                    guard let l = s.latency[metric], l.count > 0 else { return nil }
                    return (Double(s.t), l[keyPath: path])
                }
                series.append(ChartSeries(name: name, color: color,
                                          points: Downsample.reduce(points, maxPoints: maxPoints, mode: .max),
                                          dashed: name == "max"))
            }
        }
        let label = metric ?? "latency"
        return LineChart(id: "latency-\(label)", title: "\(label): latency percentiles over time",
                         xLabel: "seconds since start", yLabel: "ms", series: series,
                         thresholds: metric.map { ChartAnnotations.latencyThresholds(report, metric: $0) } ?? [])
    }

    static func percentileDistribution(_ report: RunReport) -> LineChart {
        let series = report.metrics.keys.sorted().enumerated().map { i, name in
            let histogram = report.metrics[name]!.histogram
            // Beyond 1 − 1/count the data has nothing to say; without this cap the 100 %
            // point would stretch the axis to 99.9999 % for every run.
            let cap = 100 * (1 - 1 / Double(max(histogram.count, 10)))
            let points = histogram.percentileDistribution().map {
                (x: min($0.percentile, cap), y: Double($0.micros) / 1000)
            }
            return ChartSeries(name: name, color: color(i), points: points)
        }
        return LineChart(id: "percentile-distribution", title: "Latency by percentile (log scale)",
                         xLabel: "percentile", yLabel: "ms", series: series, xKind: .percentile, yKind: .log)
    }

    static func connections(_ report: RunReport) -> LineChart {
        let generator = report.timeSeries.map { (x: Double($0.t), y: Double($0.connections)) }
        let server = report.timeSeries.compactMap { s in s.serverConnections.map { (x: Double(s.t), y: Double($0)) } }
        return LineChart(id: "connections", title: "Connections over time (generator vs server stats)",
                         xLabel: "seconds since start", yLabel: "connections", series: [
                             ChartSeries(name: "generator", color: color(0),
                                         points: Downsample.reduce(generator, maxPoints: maxPoints, mode: .mean)),
                             ChartSeries(name: "server stats", color: color(1),
                                         points: Downsample.reduce(server, maxPoints: maxPoints, mode: .mean), dashed: true),
                         ])
    }

    static func eventsPerSecond(_ report: RunReport) -> LineChart {
        let points = report.timeSeries.map { (x: Double($0.t), y: $0.eventsPerSecond) }
        return LineChart(id: "events-per-second", title: "Events received per second",
                         xLabel: "seconds since start", yLabel: "events/s", series: [
                             ChartSeries(name: "events/s", color: color(2),
                                         points: Downsample.reduce(points, maxPoints: maxPoints, mode: .mean)),
                         ], thresholds: ChartAnnotations.eventRateThresholds(report))
    }

    /// Errors and check violations per second: a broken guarantee is a failure as much as a
    /// refused connect, so the chart counts both, violations in their own (red) line.
    static func errors(_ report: RunReport) -> LineChart {
        let points = report.timeSeries.map { (x: Double($0.t), y: Double($0.errors)) }
        var series = [ChartSeries(name: "errors", color: color(1),
                                  points: Downsample.reduce(points, maxPoints: maxPoints, mode: .max))]
        if report.timeSeries.contains(where: { $0.totalCheckViolations > 0 }) {
            let violations = report.timeSeries.map { (x: Double($0.t), y: Double($0.totalCheckViolations)) }
            series.append(ChartSeries(name: "check violations", color: ChartPalette.violation,
                                      points: Downsample.reduce(violations, maxPoints: maxPoints, mode: .max)))
        }
        return LineChart(id: "errors", title: "Errors and check violations per second", xLabel: "seconds since start",
                         yLabel: "per second", series: series)
    }

    static func statsDrift(_ report: RunReport) -> LineChart {
        let fields = Set(report.statsSamples.map(\.field)).sorted()
        var series: [ChartSeries] = []
        for (i, field) in fields.enumerated() {
            let samples = report.statsSamples.filter { $0.field == field }
            series.append(ChartSeries(name: "\(field) expected", color: color(2 * i),
                                      points: samples.map { (x: Double($0.t), y: Double($0.expected)) }))
            series.append(ChartSeries(name: "\(field) observed", color: color(2 * i + 1),
                                      points: samples.map { (x: Double($0.t), y: Double($0.observed)) }, dashed: true))
        }
        return LineChart(id: "stats-drift", title: "Server stats: expected vs observed",
                         xLabel: "seconds since start", yLabel: "count", series: series)
    }
}
