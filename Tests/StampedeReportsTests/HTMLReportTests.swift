import Foundation
import Testing
@testable import StampedeReports

@Suite(.serialized) final class HTMLReportTests {
    @Test func testPageIsSelfContained() {
        let html = HTMLReportRenderer.render(GoldenFixture.report())
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        for forbidden in ["<link", "src=", "@import", "url(", "href=\"http", "@font-face"] {
            #expect(!(html.contains(forbidden)), "found \(forbidden)")
        }
        #expect(html.contains("default-src 'none'"))
    }

    @Test func testEveryChartIsPresentEvenWithoutData() {
        let report = GoldenFixture.report()
        let html = HTMLReportRenderer.render(report)
        var expected = ReportCharts.fixedChartIDs + report.metrics.keys.map { "latency-\($0)" }
        expected.append("stats-drift")
        for id in expected { #expect(html.contains("data-chart=\"\(id)\""), "\(id)") }

        var empty = report
        empty.metrics = [:]
        empty.timeSeries = []
        empty.statsSamples = []
        let emptyHTML = HTMLReportRenderer.render(empty)
        for id in ReportCharts.fixedChartIDs + ["latency-latency"] {
            #expect(emptyHTML.contains("data-chart=\"\(id)\""), "\(id)")
        }
        #expect(emptyHTML.contains("no data recorded"))
    }

    @Test func testVerdictHeaderAndFailuresFirstWithEvidence() throws {
        let html = HTMLReportRenderer.render(GoldenFixture.report())
        #expect(html.contains("<header class=\"verdict failed\""))
        let checks = try #require(html.range(of: "<table id=\"checks\">"))
        let table = html[checks.lowerBound...]
        let failing = try #require(table.range(of: "stats_match"))
        let passing = try #require(table.range(of: "ordering"))
        #expect(failing.lowerBound < passing.lowerBound, "failed checks come first")
        #expect(table.contains("t=2s: server reports 3 connections, generator holds 2"))
        let budgets = try #require(html.range(of: "<table id=\"budgets\">"))
        let btable = html[budgets.lowerBound...]
        #expect(try #require(btable.range(of: "errors.rate")).lowerBound < #require(btable.range(of: "event_delivery.p99")).lowerBound)
        // Budgets before checks before charts.
        #expect(budgets.lowerBound < checks.lowerBound)
        #expect(try checks.lowerBound < #require(html.range(of: "<svg class=\"chart\"")).lowerBound)
    }

    @Test func testUserTextIsEscaped() {
        var report = GoldenFixture.report()
        report.scenarioName = "<script>alert(1)</script>"
        report.checks[0].evidence = ["<img onerror=x>"]
        let html = HTMLReportRenderer.render(report)
        #expect(!(html.contains("<script>alert")))
        #expect(!(html.contains("<img")))
        #expect(html.contains("&lt;img onerror=x&gt;"))
    }

    @Test func testTenMinuteRunStaysUnderTwoMegabytes() throws {
        let report = SyntheticRun(seconds: 600, perSecondPerMetric: 20, shards: 2, keepSecondHistograms: false).report(shards: [0, 1])
        let html = HTMLReportRenderer.render(report)
        #expect(html.utf8.count < 2_000_000)
        // Charts keep every second of a 10-minute run…
        let latency = try #require(ReportCharts.all(report).first { $0.id == "latency-event_delivery" })
        #expect(latency.series[0].points.count == 600)
        // …and an hour-long run is downsampled to the same order of size.
        let hour = SyntheticRun(seconds: 3600, metrics: ["event_delivery"], perSecondPerMetric: 2, shards: 1, keepSecondHistograms: false).report(shards: [0])
        let hourChart = try #require(ReportCharts.all(hour).first { $0.id == "latency-event_delivery" })
        #expect(hourChart.series[0].points.count <= ReportCharts.maxPoints)
        #expect(HTMLReportRenderer.render(hour).utf8.count < 2_000_000)
    }

    @Test func testDownsamplingKeepsSpikes() {
        var points = (0..<1000).map { (x: Double($0), y: 1.0) }
        points[517].y = 99
        let reduced = Downsample.reduce(points, maxPoints: 100, mode: .max)
        #expect(reduced.count == 100)
        #expect(reduced.map(\.y).max() == 99)
        #expect(abs((Downsample.reduce(points, maxPoints: 100, mode: .mean).map(\.y).max()!) - (10.8)) <= 0.001)
    }
}
