import Foundation
import StampedeBrowserSupport
import StampedeJSON
import Testing
@testable import StampedeReports

/// Opens report.html in headless Chromium through scripts/render-check.sh (the
/// same check CI runs), and every report variant through the DevTools driver the page
/// tests use, measuring what a reader would see. Skips when no Chromium is installed;
/// `.ci/run` installs it.
@Suite(.serialized) final class ChromiumRenderTests: MakesTemporaryDirectories {
    let temporaryDirectories = TemporaryDirectories()
    func chromium() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["CHROMIUM"], !explicit.isEmpty { return explicit }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome"] {
                let path = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
        }
        try Test.cancel("chromium is not on PATH (Debian package `chromium`)")
    }

    /// CI keeps the screenshot: `STAMPEDE_SCREENSHOT_DIR`, else reports/ci/ when `CI=true`
    /// (what .ci/run exports), else the test's temporary directory.
    func screenshotDirectory(fallback: URL) -> URL {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["STAMPEDE_SCREENSHOT_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        if env["CI"] == "true" { return FixturePaths.repositoryRoot.appendingPathComponent("reports/ci") }
        return fallback
    }

    func renderCheck(_ html: URL, screenshot: URL) throws -> (status: Int32, output: String) {
        let browser = try chromium()
        var env = ProcessInfo.processInfo.environment
        env["CHROMIUM"] = browser
        return try BuiltCLI.run(URL(fileURLWithPath: "/bin/bash"), [FixturePaths.renderCheck.path, html.path, screenshot.path], environment: env)
    }

    @Test func testRenderedReportHasEveryChartAndNoConsoleErrors() throws {
        _ = try chromium()
        let dir = try temporaryDirectory()
        let report = SyntheticRun(seconds: 120, perSecondPerMetric: 10, shards: 2, keepSecondHistograms: false).report(shards: [0, 1])
        try ReportWriter.write(report, to: dir)
        let shot = screenshotDirectory(fallback: dir).appendingPathComponent("report-render.png")
        let result = try renderCheck(dir.appendingPathComponent("report.html"), screenshot: shot)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("\(ReportCharts.all(report).count) charts rendered"), "\(result.output)")
        let png = try Data(contentsOf: shot)
        #expect(Array(png.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
    }

    /// The check must be able to fail: a page whose script throws is rejected.
    @Test func testAScriptErrorFailsTheCheck() throws {
        _ = try chromium()
        let dir = try temporaryDirectory()
        var html = HTMLReportRenderer.render(GoldenFixture.report())
        html = html.replacingOccurrences(of: "<script>", with: "<script>undefinedFunction();")
        let file = dir.appendingPathComponent("broken.html")
        try html.write(to: file, atomically: true, encoding: .utf8)
        let result = try renderCheck(file, screenshot: dir.appendingPathComponent("broken.png"))
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("undefinedFunction"), "\(result.output)")
    }

    /// Issue 15 item 6: every variant of the report, rendered and measured in the browser:
    /// no text outside its chart, no legend label on another, distinct line colours, budget
    /// lines where budgets constrain a charted metric, violation marks only where checks broke.
    /// Each variant's screenshot is kept (report-<variant>.png) for a person to look at.
    @Test func testEveryReportVariantRendersLegiblyInChromium() async throws {
        let browser = try HeadlessChromium(windowSize: (1280, 900))
        defer { browser.shutdown() }
        let dir = try temporaryDirectory()
        let shots = screenshotDirectory(fallback: dir)
        for variant in ReportVariant.allCases {
            let report = variant.report
            let out = dir.appendingPathComponent(variant.rawValue)
            try ReportWriter.write(report, to: out)
            let page = try await browser.openPage(out.appendingPathComponent("report.html").absoluteString)
            try await page.waitFor("document.body && document.body.getAttribute('data-rendered')", "\(variant.rawValue) rendered")
            let seen = try await page.evaluate(ReportPageProbe.script)
            let problems = (seen["problems"]?.arrayValue ?? []).compactMap(\.stringValue)
            #expect(problems == [], "\(variant.rawValue)")
            #expect(page.exceptions == [], "\(variant.rawValue)")
            let charts = ReportPageProbe.charts(seen)
            #expect(charts.count == (variant == .couldNotStart ? 0 : ReportCharts.all(report).count), "\(variant.rawValue)")
            for chart in charts {
                #expect(Set(chart.colors).count == chart.colors.count, "\(variant.rawValue)/\(chart.id): \(chart.colors)")
                for (i, a) in chart.colors.enumerated() {
                    for b in chart.colors[(i + 1)...] {
                        #expect(ChartPalette.distance(a, b) >= 25, "\(variant.rawValue)/\(chart.id): \(a) vs \(b)")
                    }
                }
                for (label, width) in chart.legendWidths {
                    #expect(ChartLegend.textWidth(label) + 0.5 >= width, "the layout's estimate errs wide: \(label)")
                }
            }
            func chart(_ id: String) -> ReportPageProbe.Chart? { charts.first { $0.id == id } }
            switch variant {
            case .couldNotStart:
                #expect(seen["notStarted"]?.boolValue == true)
            case .failedChecks:
                #expect(chart("errors")?.violationBands == 2)
                #expect(chart("latency-event_delivery")?.violationBands == 2)
                #expect(chart("errors")?.colors.contains(ChartPalette.violation) ?? false, "errors chart counts violations")
            case .failedBudgets:
                #expect(chart("latency-event_delivery")?.budgetLines == 2)
                #expect(chart("latency-connect")?.budgetLines == 1)
                #expect(chart("events-per-second")?.budgetLines == 1)
            case .passed, .recovery, .interrupted:
                #expect(charts.map(\.budgetLines).reduce(0, +) > 0, "\(variant.rawValue)")
            case .mergedShards:
                #expect(chart("percentile-distribution")?.legendRows ?? 0 > 1)
                #expect(chart("stats-drift")?.legendRows ?? 0 > 1)
            case .noBudgets:
                #expect(charts.map(\.budgetLines).reduce(0, +) == 0, "\(variant.rawValue)")
            }
            if variant != .failedChecks { #expect(charts.map(\.violationBands).reduce(0, +) == 0, "\(variant.rawValue)") }
            try await page.screenshot(to: shots.appendingPathComponent("report-\(variant.rawValue).png"))
        }
    }

    /// The measurements must be able to fail: a legend label run off the chart's edge, one
    /// laid over another, and a line repeating another's colour are all reported.
    @Test func testTheProbeCatchesClippedAndOverlappingLegendsAndRepeatedColours() async throws {
        let browser = try HeadlessChromium(windowSize: (1280, 900))
        defer { browser.shutdown() }
        var html = HTMLReportRenderer.render(ReportVariant.passed.report)
        let broken = "<text class=\"legend\" x=\"760\" y=\"20\">a label that runs off the edge</text>"
            + "<text class=\"legend\" x=\"760\" y=\"20\">on top</text>"
            + "<polyline class=\"line\" stroke=\"\(ChartPalette.color(0))\" points=\"70,60 90,70\"/></svg>"
        let first = try #require(html.range(of: "</svg>"))
        html.replaceSubrange(first, with: broken)
        let file = try temporaryDirectory().appendingPathComponent("broken.html")
        try html.write(to: file, atomically: true, encoding: .utf8)
        let page = try await browser.openPage(file.absoluteString)
        try await page.waitFor("document.body && document.body.getAttribute('data-rendered')", "broken page rendered")
        let seen = try await page.evaluate(ReportPageProbe.script)
        let problems = (seen["problems"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(problems.contains { $0.contains("a label that runs off the edge\" is outside the chart") }, "\(problems)")
        #expect(problems.contains { $0.contains("overlaps \"on top\"") }, "\(problems)")
        let colors = try #require(ReportPageProbe.charts(seen).first).colors
        #expect(Set(colors).count < colors.count, "the repeated colour is seen: \(colors)")
    }
}
