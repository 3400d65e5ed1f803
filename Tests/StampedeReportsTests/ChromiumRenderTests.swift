import Foundation
import XCTest
@testable import StampedeReports

/// Opens report.html in headless Chromium through scripts/render-check.sh (the
/// same check CI runs). Skips when no Chromium is installed; `.ci/run` installs it.
final class ChromiumRenderTests: XCTestCase {
    func chromium() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["CHROMIUM"], !explicit.isEmpty { return explicit }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome"] {
                let path = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
        }
        throw XCTSkip("chromium is not on PATH (Debian package `chromium`)")
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [FixturePaths.renderCheck.path, html.path, screenshot.path]
        var env = ProcessInfo.processInfo.environment
        env["CHROMIUM"] = browser
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testRenderedReportHasEveryChartAndNoConsoleErrors() throws {
        _ = try chromium()
        let dir = try temporaryDirectory()
        let report = SyntheticRun(seconds: 120, perSecondPerMetric: 10, shards: 2, keepSecondHistograms: false).report(shards: [0, 1])
        try ReportWriter.write(report, to: dir)
        let shot = screenshotDirectory(fallback: dir).appendingPathComponent("report-render.png")
        let result = try renderCheck(dir.appendingPathComponent("report.html"), screenshot: shot)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("\(ReportCharts.all(report).count) charts rendered"), result.output)
        let png = try Data(contentsOf: shot)
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
    }

    /// The check must be able to fail: a page whose script throws is rejected.
    func testAScriptErrorFailsTheCheck() throws {
        _ = try chromium()
        let dir = try temporaryDirectory()
        var html = HTMLReportRenderer.render(GoldenFixture.report())
        html = html.replacingOccurrences(of: "<script>", with: "<script>undefinedFunction();")
        let file = dir.appendingPathComponent("broken.html")
        try html.write(to: file, atomically: true, encoding: .utf8)
        let result = try renderCheck(file, screenshot: dir.appendingPathComponent("broken.png"))
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("undefinedFunction"), result.output)
    }
}
