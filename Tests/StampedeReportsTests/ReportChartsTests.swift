import Foundation
import Testing
@testable import StampedeReports

/// Issue 15 item 6, the chart half: legends that fit, colours that differ, budget limits on
/// their charts, check violations marked when they happened and counted on the errors chart.
@Suite(.serialized) final class ReportChartsTests {
    /// (label, x) of every legend text in an SVG, and its viewBox width.
    func legendTexts(_ svg: String) -> (labels: [(String, Double)], width: Double) {
        let width = Double(svg.firstMatch(of: /viewBox="0 0 (\d+) \d+"/).map { String($0.1) } ?? "0") ?? 0
        let labels = svg.matches(of: /<text class="legend" x="([0-9.]+)" y="[0-9.]+">([^<]*)<\/text>/).map {
            (String($0.2), Double(String($0.1))!)
        }
        return (labels, width)
    }

    /// Regression: the legend ran along one line past the SVG's right edge, so the busiest
    /// charts (one line per metric, two per stats field) lost their last labels.
    @Test func testLegendsWrapInsideTheChartAndTheChartGrows() throws {
        let report = ReportVariant.mergedShards.report
        for id in ["percentile-distribution", "stats-drift"] {
            let chart = try #require(ReportCharts.all(report).first { $0.id == id })
            let (labels, width) = legendTexts(chart.render())
            #expect(labels.count == chart.series.count, "\(id)")
            for (label, x) in labels {
                #expect(x + ChartLegend.textWidth(label) <= width - LineChart.right + 0.5, "\(id): \(label)")
            }
            #expect(chart.legend.rows > 1, "\(id)")
        }
        let busy = try #require(ReportCharts.all(report).first { $0.id == "percentile-distribution" }).render()
        let height = Double(String(try #require(busy.firstMatch(of: /viewBox="0 0 \d+ (\d+)"/)).1))!
        #expect(height > 280, "two legend rows make the chart taller, not the plot smaller")
    }

    @Test func testTheWidthEstimateErrsWide() {
        // Widths Debian's headless Chromium laid these legends out at (getBBox, 11 px), Dec 2026;
        // the render test re-measures every legend of every variant on each run.
        let measured = ["p50": 20.99, "event_delivery": 80.99, "workflow.first_event": 110.43,
                        "seconds with check violations": 163.86, "active_workflows expected": 148.36]
        for (label, width) in measured { #expect(ChartLegend.textWidth(label) >= width, "\(label)") }
    }

    /// Regression: the palette had eight colours and the stats chart took 2·i mod 8, so its
    /// fifth field repeated its first; every chart of every variant now has distinct colours.
    @Test func testNoTwoSeriesOfAChartShareAColourAndColoursAreWellSeparated() {
        for variant in ReportVariant.allCases {
            for chart in ReportCharts.all(variant.report) {
                let colors = chart.series.map(\.color)
                #expect(Set(colors).count == colors.count, "\(variant.rawValue)/\(chart.id): \(colors)")
                for (i, a) in colors.enumerated() {
                    for b in colors[(i + 1)...] {
                        #expect(ChartPalette.distance(a, b) >= 25, "\(variant.rawValue)/\(chart.id): \(a) vs \(b)")
                    }
                }
            }
        }
        let many = (0..<40).map(ChartPalette.color)
        #expect(Set(many).count == many.count, "past the palette, colours still never repeat")
        for c in ChartPalette.series {
            #expect(ChartPalette.distance(c, ChartPalette.violation) >= 25, "\(c) vs violation red")
            #expect(ChartPalette.distance(c, ChartPalette.budget) >= 25, "\(c) vs budget ink")
        }
    }

    @Test func testBudgetLimitsAreDrawnOnTheChartOfTheirMetric() throws {
        let charts = ReportCharts.all(ReportVariant.failedBudgets.report)
        func labels(_ id: String) throws -> [String] {
            try #require(charts.first { $0.id == id }, "\(id)").thresholds.map(\.label)
        }
        #expect(try labels("latency-event_delivery") == ["budget p99 < 5 ms", "budget p50 <= 3 ms"], "strict < stays <")
        #expect(try labels("latency-connect") == ["budget p95 <= 2 ms"])
        #expect(try labels("events-per-second") == ["budget rate >= 900/s"])
        #expect(try labels("latency-ack") == [])
        let delivery = try #require(charts.first { $0.id == "latency-event_delivery" }).thresholds
        #expect(delivery.map(\.failed) == ReportVariant.failedBudgets.report.budgets.prefix(2).map { !$0.passed })
        #expect(delivery[0].failed, "p99 < 5 ms is broken in this variant, so its line is red")

        let html = HTMLReportRenderer.render(ReportVariant.failedBudgets.report)
        #expect(html.contains("class=\"budget\" data-budget=\"budget p99 &lt; 5 ms\""))
        #expect(html.contains(">budget p99 &lt; 5 ms</text>"))
        // A limit far above the data is drawn at the top edge and says so, leaving the lines readable.
        let line = ChartSeries(name: "p99", color: ChartPalette.color(0), points: [(0, 1), (1, 3), (2, 2)])
        let far = LineChart(id: "t", title: "t", xLabel: "s", yLabel: "ms", series: [line],
                            thresholds: [ChartThreshold(value: 250, label: "budget p99 < 250 ms", failed: false)])
        #expect(far.render().contains(">budget p99 &lt; 250 ms (above this scale)</text>"))
        var near = far
        near.thresholds = [ChartThreshold(value: 5, label: "budget p99 < 5 ms", failed: false)]
        #expect(near.render().contains(">budget p99 &lt; 5 ms</text>"))
        #expect(near.render().contains(">5</text>"), "the axis reaches the limit")
    }

    @Test func testCheckViolationsAreMarkedWhenTheyHappenedAndCountedOnTheErrorsChart() throws {
        let report = ReportVariant.failedChecks.report
        let bands = ChartAnnotations.violationBands(report)
        #expect(bands.map(\.from) == [12, 41])
        #expect(bands.map(\.to) == [15, 42])
        #expect(bands.first?.title == "t=12–15s check violations: ordering 9")
        let charts = ReportCharts.all(report)
        for chart in charts where chart.id != "percentile-distribution" {
            #expect(chart.bands == bands, "\(chart.id)")
        }
        let errors = try #require(charts.first { $0.id == "errors" })
        let violations = try #require(errors.series.first { $0.name == "check violations" })
        #expect(violations.points.first { $0.x == 13 }?.y == 3)
        #expect(violations.points.map(\.y).reduce(0, +) == 12)
        #expect(HTMLReportRenderer.render(report).contains("class=\"violation\""))

        let clean = ReportVariant.passed.report
        #expect(ChartAnnotations.violationBands(clean).isEmpty)
        #expect(ReportCharts.all(clean).first { $0.id == "errors" }?.series.first { $0.name == "check violations" } == nil)
    }

    @Test func testPassingChecksShowWhatTheyObserved() throws {
        let report = ReportVariant.passed.report
        let html = HTMLReportRenderer.render(report)
        let ordering = try #require(report.checks.first { $0.name == "ordering" })
        let count = CheckObservationLine.grouped(try #require(ordering.details["observations"]?.intValue))
        #expect(html.contains("<td class=\"observed\">\(count) deliveries checked, 0 violations</td>"), "\(html)")
        #expect(CheckObservationLine.grouped(12_345) == "12,345")
        #expect(CheckObservationLine.grouped(999) == "999")

        // A merged report adds up its shards' observations.
        let merged = CheckResult(name: "ordering", passed: true, details: ["shards": [
            ["observations": 10, "violations": 0, "observed": "deliveries"],
            ["observations": 32, "violations": 1, "observed": "deliveries"],
        ]])
        #expect(CheckObservationLine.sentence(merged) == "42 deliveries checked, 1 violation")
        let stats = CheckResult(name: "stats_match", passed: true, details: ["compared": 7, "mismatches": 0])
        #expect(CheckObservationLine.sentence(stats) == "7 settled stats samples compared, 0 violations")
        #expect(CheckObservationLine.sentence(CheckResult(name: "stats_match", passed: true, details: ["deferred": true, "observations": 1])) == nil)
    }

    @Test func testMergingShardsAddsUpTheirViolationsPerSecond() throws {
        var a = ReportVariant.base(), b = ReportVariant.base()
        a.timeSeries[5].checkViolations = ["ordering": 2]
        b.timeSeries[5].checkViolations = ["ordering": 1, "isolation": 4]
        let merged = try ReportMerger.merge([a, b])
        #expect(merged.timeSeries.first { $0.t == 5 }?.checkViolations == ["ordering": 3, "isolation": 4])
        #expect(merged.timeSeries.first { $0.t == 6 }?.checkViolations == nil)
    }
}
