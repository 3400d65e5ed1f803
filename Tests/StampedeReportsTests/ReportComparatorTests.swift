import Foundation
import Testing
@testable import StampedeReports

@Suite(.serialized) final class ReportComparatorTests {
    /// A report whose every latency is `factor` times the baseline's.
    func scaled(_ report: RunReport, latency factor: Double, events: Double = 1) -> RunReport {
        var r = report
        r.metrics = report.metrics.mapValues { m in
            var h = LatencyHistogram()
            for b in m.histogram.buckets() { h.record(UInt64(Double(b.value) * factor), count: b.count) }
            return MetricSummary(histogram: h)
        }
        r.counters = report.counters.mapValues { UInt64(Double($0) * events) }
        r.timeSeries = report.timeSeries.map { var s = $0; s.eventsPerSecond *= events; return s }
        return r
    }

    /// 10,000 samples a metric: enough that a 30 % move of p99 is significant past the 0.5 % slow tail.
    let baseline = SyntheticRun(seconds: 20, perSecondPerMetric: 500, shards: 1, keepSecondHistograms: false).report(shards: [0])

    @Test func testIdenticalReportsHaveNoRegression() {
        let result = ReportComparator.compare(baseline: baseline, current: baseline)
        #expect(result.exitCode == 0)
        #expect(result.regressions.isEmpty)
        #expect(result.rows.contains { $0.metric == "event_delivery" && $0.statistic == "p99" })
        #expect(result.rows.contains { $0.metric == "throughput" && $0.statistic == "events_received/s" })
    }

    @Test func testLatencyWithinToleranceIsZeroBeyondIsOne() {
        let within = ReportComparator.compare(baseline: baseline, current: scaled(baseline, latency: 1.05))
        #expect(within.exitCode == 0)
        // 30 % of a ~3 ms p99 is below the default 1 ms minimum delta: judge it without one.
        let beyond = ReportComparator.compare(baseline: baseline, current: scaled(baseline, latency: 1.30),
                                              options: CompareOptions(minimumDeltaMs: 0))
        #expect(beyond.exitCode == 1)
        #expect(beyond.regressions.contains { $0.metric == "event_delivery" && $0.statistic == "p99" })
        let looser = ReportComparator.compare(baseline: baseline, current: scaled(baseline, latency: 1.30),
                                              options: CompareOptions(tolerance: 0.5))
        #expect(looser.exitCode == 0)
    }

    @Test func testPerMetricToleranceOverridesTheDefault() {
        var current = baseline
        var h = LatencyHistogram()
        for b in baseline.metrics["ack"]!.histogram.buckets() { h.record(b.value * 3 / 2, count: b.count) }
        current.metrics["ack"] = MetricSummary(histogram: h)
        #expect(ReportComparator.compare(baseline: baseline, current: current).exitCode == 1)
        let options = CompareOptions(tolerance: 0.10, metricTolerances: ["ack": 0.6])
        #expect(ReportComparator.compare(baseline: baseline, current: current, options: options).exitCode == 0)
        let onlyP99 = CompareOptions(tolerance: 0.10, metricTolerances: ["ack.p99": 0.6])
        let result = ReportComparator.compare(baseline: baseline, current: current, options: onlyP99)
        #expect(result.exitCode == 1)
        #expect(!(result.regressions.contains { $0.statistic == "p99" }))
    }

    @Test func testFasterIsAnImprovementNotARegression() {
        let result = ReportComparator.compare(baseline: baseline, current: scaled(baseline, latency: 0.5))
        #expect(result.exitCode == 0)
        #expect(result.rows.contains { $0.statistic == "p99" && $0.status == .improved })
    }

    @Test func testThroughputDropBeyondToleranceRegresses() {
        let result = ReportComparator.compare(baseline: baseline, current: scaled(baseline, latency: 1, events: 0.7))
        #expect(result.exitCode == 1)
        #expect(result.regressions.contains { $0.metric == "throughput" && $0.statistic == "events_received/s" })
    }

    @Test func testAPassingCheckThatNowFailsRegresses() {
        var current = baseline
        current.checks[0].passed = false
        let result = ReportComparator.compare(baseline: baseline, current: current)
        #expect(result.exitCode == 1)
        #expect(result.regressions.contains { $0.metric == "check" && $0.statistic == "ordering" })
    }

    @Test func testAMetricThatDisappearedIsMissing() {
        var current = baseline
        current.metrics["reconnect"] = nil
        let result = ReportComparator.compare(baseline: baseline, current: current)
        #expect(result.exitCode == 1)
        #expect(result.regressions.allSatisfy { $0.metric == "reconnect" && $0.status == .missing })
    }

    @Test func testMinimumDeltaIgnoresSubMillisecondJitter() {
        var h = LatencyHistogram()
        h.record(100)
        var b = baseline, c = baseline
        b.metrics = ["tiny": MetricSummary(histogram: h)]
        var h2 = LatencyHistogram()
        h2.record(300)
        c.metrics = ["tiny": MetricSummary(histogram: h2)]
        #expect(ReportComparator.compare(baseline: b, current: c, options: .strict()).exitCode == 1)
        var noDelta = CompareOptions.strict()
        noDelta.minimumDeltaMs = 1
        #expect(ReportComparator.compare(baseline: b, current: c, options: noDelta).exitCode == 0)
        // The default minimum delta is 1 ms.
        #expect(ReportComparator.compare(baseline: b, current: c).exitCode == 0)
    }

    @Test func testTableMarksRegressions() {
        let result = ReportComparator.compare(baseline: baseline, current: scaled(baseline, latency: 1.3))
        let text = ComparisonTable.render(result)
        #expect(text.contains("REGRESSED"))
        #expect(text.contains("beyond tolerance: "))
        let md = ComparisonTable.render(result, format: .markdown)
        #expect(md.hasPrefix("| metric | stat |"))
    }

    @Test func testToleranceParsing() {
        #expect(CompareOptions.parsePercent("10%") == 0.10)
        #expect(CompareOptions.parsePercent("2.5") == 0.025)
        #expect(CompareOptions.parsePercent("ten") == nil)
        #expect(CompareOptions.parsePercent("-5%") == nil)
        let t = CompareOptions.parseMetricTolerance("event_delivery.p99=20%")
        #expect(t?.key == "event_delivery.p99")
        #expect(t?.tolerance == 0.20)
        #expect(CompareOptions.parseMetricTolerance("event_delivery.p99") == nil)
    }
}
