import Foundation
import StampedeBrowserSupport
import StampedeDashboard
import StampedeJSON
import StampedeReports
import StampedeScenario
import StampedeServer
import Testing

/// The live page of `stampede run --dashboard` in headless Chromium, fed by a
/// real short run against the embedded server: the connected-clients figure
/// rises during the ramp, and the page ends with the run's verdict.
@Suite(.serialized) final class RunDashboardPageTests {
    static let scenario = """
        name: dashboard
        server: { step_delay: 20ms }
        auth: { users: 4 }
        workflows: { count: 4 }
        phases:
          - { name: ramp, duration: 4s, clients: { to: 16 } }
          - { name: hold, duration: 2s }
        groups:
          - name: watcher
            steps: [connect, { subscribe: { workflow: own } }, { await: { until: end } }]
        publishers: [{ rate: 20/s, per: workflow, event: tool_update, payload_bytes: 100 }]
        checks: [ordering, isolation]
        budgets:
          event_delivery.p99: 5s
        """

    @Test func testThePageShowsTheRampAndTheFinalVerdict() async throws {
        let browser = try HeadlessChromium(windowSize: (1280, 1400))
        defer { browser.shutdown() }
        var c = ServerConfiguration()
        c.port = 0
        c.stepDelayMs = 20
        let server = try await EmbeddedServer.start(c)
        let dashboard = try await DashboardServer.start(port: 0)
        let page = try await browser.openPage(dashboard.url)
        try await page.waitFor("document.body.dataset.state === 'live'", "the page to open its event stream")

        var options = RunOptions(baseURL: server.baseURL, jwtSecret: "dev-secret", embedded: true)
        options.progress = .quiet
        options.eventLoopThreads = 2
        options.onSecond = { dashboard.publish(DashboardSample.second($0)) }
        let scenario = try ScenarioLoader.parse(Self.scenario)
        let run = Task { await ScenarioRunner.run(scenario, options: options) }

        // During the ramp the page already draws: at least two seconds seen while the run goes.
        try await page.waitFor("Number(document.body.dataset.samples) >= 2", timeout: 15, "live samples during the run")
        let outcome = await run.value
        try await server.shutdown()

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dashboard-\(UUID().uuidString)")
        try ReportWriter.write(outcome.report, to: dir)
        let reportHTML = dir.appendingPathComponent("report.html").path
        await dashboard.finish(DashboardSample.final(outcome.report, reportPath: reportHTML), reportHTML: reportHTML)
        let verdict = try await page.waitFor("document.body.dataset.verdict", "the final verdict")
        #expect(verdict.stringValue == outcome.report.verdict.rawValue)
        #expect(outcome.report.verdict == .passed, "\(outcome.report.checks)")

        let clients = (try await page.evaluate("document.body.dataset.clients").stringValue ?? "").split(separator: ",").compactMap { Int($0) }
        #expect(clients.count >= 5, "one sample a second: \(clients)")
        #expect(clients == clients.sorted(), "the client count only rises during ramp and hold: \(clients)")
        #expect(clients.first ?? 0 < clients.max() ?? 0, "rising during the ramp: \(clients)")
        #expect(clients.max() == 16)
        let heading = try await page.evaluate("document.getElementById('verdict-text').textContent").stringValue ?? ""
        #expect(heading.hasPrefix("PASSED"), "\(heading)")
        // The link to the report works while the dashboard is up.
        let linked = try await page.evaluate("fetch('/report.html').then(r => r.status)")
        #expect(linked == 200)
        for chart in ["clients", "deliveries", "latency", "errors", "health"] {
            let points = try await page.evaluate("document.getElementById('chart-\(chart)').dataset.points")
            #expect(Int(points.stringValue ?? "") ?? 0 > 0, "chart \(chart) drew points")
        }
        let budgetLine = try await page.evaluate("document.querySelectorAll('#chart-latency .budget').length")
        #expect(budgetLine == 1, "the event_delivery.p99 budget is drawn on the latency chart")
        #expect(page.exceptions == [])

        let env = ProcessInfo.processInfo.environment
        let shots = env["CI"] == "true" ? PagesTestPaths.repositoryRoot.appendingPathComponent("reports/ci") : dir
        try await page.screenshot(to: shots.appendingPathComponent("run-dashboard-finished.png"))
        await dashboard.shutdown()
    }
}
