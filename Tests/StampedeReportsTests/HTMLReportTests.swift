import Foundation
import XCTest
@testable import StampedeReports

final class HTMLReportTests: XCTestCase {
    func testPageIsSelfContained() {
        let html = HTMLReportRenderer.render(GoldenFixture.report())
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        for forbidden in ["<link", "src=", "@import", "url(", "href=\"http", "@font-face"] {
            XCTAssertFalse(html.contains(forbidden), "found \(forbidden)")
        }
        XCTAssertTrue(html.contains("default-src 'none'"))
    }

    func testEveryChartIsPresentEvenWithoutData() {
        let report = GoldenFixture.report()
        let html = HTMLReportRenderer.render(report)
        var expected = ReportCharts.fixedChartIDs + report.metrics.keys.map { "latency-\($0)" }
        expected.append("stats-drift")
        for id in expected { XCTAssertTrue(html.contains("data-chart=\"\(id)\""), id) }

        var empty = report
        empty.metrics = [:]
        empty.timeSeries = []
        empty.statsSamples = []
        let emptyHTML = HTMLReportRenderer.render(empty)
        for id in ReportCharts.fixedChartIDs + ["latency-latency"] {
            XCTAssertTrue(emptyHTML.contains("data-chart=\"\(id)\""), id)
        }
        XCTAssertTrue(emptyHTML.contains("no data recorded"))
    }

    func testVerdictHeaderAndFailuresFirstWithEvidence() throws {
        let html = HTMLReportRenderer.render(GoldenFixture.report())
        XCTAssertTrue(html.contains("<header class=\"verdict failed\""))
        let checks = try XCTUnwrap(html.range(of: "<table id=\"checks\">"))
        let table = html[checks.lowerBound...]
        let failing = try XCTUnwrap(table.range(of: "stats_match"))
        let passing = try XCTUnwrap(table.range(of: "ordering"))
        XCTAssertLessThan(failing.lowerBound, passing.lowerBound, "failed checks come first")
        XCTAssertTrue(table.contains("t=2s: server reports 3 connections, generator holds 2"))
        let budgets = try XCTUnwrap(html.range(of: "<table id=\"budgets\">"))
        let btable = html[budgets.lowerBound...]
        XCTAssertLessThan(try XCTUnwrap(btable.range(of: "errors.rate")).lowerBound,
                          try XCTUnwrap(btable.range(of: "event_delivery.p99")).lowerBound)
        // Budgets before checks before charts.
        XCTAssertLessThan(budgets.lowerBound, checks.lowerBound)
        XCTAssertLessThan(checks.lowerBound, try XCTUnwrap(html.range(of: "<svg class=\"chart\"")).lowerBound)
    }

    func testUserTextIsEscaped() {
        var report = GoldenFixture.report()
        report.scenarioName = "<script>alert(1)</script>"
        report.checks[0].evidence = ["<img onerror=x>"]
        let html = HTMLReportRenderer.render(report)
        XCTAssertFalse(html.contains("<script>alert"))
        XCTAssertFalse(html.contains("<img"))
        XCTAssertTrue(html.contains("&lt;img onerror=x&gt;"))
    }

    func testTenMinuteRunStaysUnderTwoMegabytes() throws {
        let report = SyntheticRun(seconds: 600, perSecondPerMetric: 20, shards: 2, keepSecondHistograms: false).report(shards: [0, 1])
        let html = HTMLReportRenderer.render(report)
        XCTAssertLessThan(html.utf8.count, 2_000_000)
        // Charts keep every second of a 10-minute run…
        let latency = try XCTUnwrap(ReportCharts.all(report).first { $0.id == "latency-event_delivery" })
        XCTAssertEqual(latency.series[0].points.count, 600)
        // …and an hour-long run is downsampled to the same order of size.
        let hour = SyntheticRun(seconds: 3600, metrics: ["event_delivery"], perSecondPerMetric: 2, shards: 1, keepSecondHistograms: false).report(shards: [0])
        let hourChart = try XCTUnwrap(ReportCharts.all(hour).first { $0.id == "latency-event_delivery" })
        XCTAssertLessThanOrEqual(hourChart.series[0].points.count, ReportCharts.maxPoints)
        XCTAssertLessThan(HTMLReportRenderer.render(hour).utf8.count, 2_000_000)
    }

    func testDownsamplingKeepsSpikes() {
        var points = (0..<1000).map { (x: Double($0), y: 1.0) }
        points[517].y = 99
        let reduced = Downsample.reduce(points, maxPoints: 100, mode: .max)
        XCTAssertEqual(reduced.count, 100)
        XCTAssertEqual(reduced.map(\.y).max(), 99)
        XCTAssertEqual(Downsample.reduce(points, maxPoints: 100, mode: .mean).map(\.y).max()!, 10.8, accuracy: 0.001)
    }
}
