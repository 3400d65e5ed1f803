/// The charts of report.html, built from the report's series. Every chart is
/// always emitted (empty ones say so) so a reader — and the Chromium test — can
/// rely on the set being complete.
enum ReportCharts {
    static let maxPoints = 720
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    /// The stable ids of the charts every page has, besides one `latency-<metric>` per metric.
    static let fixedChartIDs = ["percentile-distribution", "connections", "events-per-second", "errors"]

    static func all(_ report: RunReport) -> [LineChart] {
        var timeCharts = metricNames(report).map { latencyOverTime(report, metric: $0) }
        if timeCharts.isEmpty { timeCharts.append(latencyOverTime(report, metric: nil)) }
        timeCharts += [connections(report), eventsPerSecond(report), errors(report)]
        if !report.statsSamples.isEmpty { timeCharts.append(statsDrift(report)) }
        let span = [0, report.durationSeconds.rounded(.up)]
        for i in timeCharts.indices { timeCharts[i].xExtent = span }
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
                ("p50", \.p50, palette[0]), ("p90", \.p90, palette[2]), ("p99", \.p99, palette[1]), ("max", \.max, palette[3]),
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
                         xLabel: "seconds since start", yLabel: "ms", series: series)
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
            return ChartSeries(name: name, color: palette[i % palette.count], points: points)
        }
        return LineChart(id: "percentile-distribution", title: "Latency by percentile (log scale)",
                         xLabel: "percentile", yLabel: "ms", series: series, xKind: .percentile, yKind: .log)
    }

    static func connections(_ report: RunReport) -> LineChart {
        let generator = report.timeSeries.map { (x: Double($0.t), y: Double($0.connections)) }
        let server = report.timeSeries.compactMap { s in s.serverConnections.map { (x: Double(s.t), y: Double($0)) } }
        return LineChart(id: "connections", title: "Connections over time (generator vs server stats)",
                         xLabel: "seconds since start", yLabel: "connections", series: [
                             ChartSeries(name: "generator", color: palette[0],
                                         points: Downsample.reduce(generator, maxPoints: maxPoints, mode: .mean)),
                             ChartSeries(name: "server stats", color: palette[1],
                                         points: Downsample.reduce(server, maxPoints: maxPoints, mode: .mean), dashed: true),
                         ])
    }

    static func eventsPerSecond(_ report: RunReport) -> LineChart {
        let points = report.timeSeries.map { (x: Double($0.t), y: $0.eventsPerSecond) }
        return LineChart(id: "events-per-second", title: "Events received per second",
                         xLabel: "seconds since start", yLabel: "events/s", series: [
                             ChartSeries(name: "events/s", color: palette[2],
                                         points: Downsample.reduce(points, maxPoints: maxPoints, mode: .mean)),
                         ])
    }

    static func errors(_ report: RunReport) -> LineChart {
        let points = report.timeSeries.map { (x: Double($0.t), y: Double($0.errors)) }
        return LineChart(id: "errors", title: "Errors per second", xLabel: "seconds since start", yLabel: "errors",
                         series: [ChartSeries(name: "errors", color: palette[3],
                                              points: Downsample.reduce(points, maxPoints: maxPoints, mode: .max))])
    }

    static func statsDrift(_ report: RunReport) -> LineChart {
        let fields = Set(report.statsSamples.map(\.field)).sorted()
        var series: [ChartSeries] = []
        for (i, field) in fields.enumerated() {
            let samples = report.statsSamples.filter { $0.field == field }
            series.append(ChartSeries(name: "\(field) expected", color: palette[(2 * i) % palette.count],
                                      points: samples.map { (x: Double($0.t), y: Double($0.expected)) }))
            series.append(ChartSeries(name: "\(field) observed", color: palette[(2 * i + 1) % palette.count],
                                      points: samples.map { (x: Double($0.t), y: Double($0.observed)) }, dashed: true))
        }
        return LineChart(id: "stats-drift", title: "Server stats: expected vs observed",
                         xLabel: "seconds since start", yLabel: "count", series: series)
    }
}
