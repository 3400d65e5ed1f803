import Foundation
import StampedeBrowserSupport
import Testing

/// `stampede run … --dashboard [PORT]` as a user types it (the built binary; skips when not built).
@Suite(.serialized) final class DashboardCommandLineTests {
    func binary() throws -> URL { try BuiltCLI.binary() }

    func run(_ arguments: [String]) throws -> (status: Int32, output: String) { try BuiltCLI.stampede(arguments) }

    @Test func testARunWithADashboardServesItAndEndsNormally() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dash-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = dir.appendingPathComponent("tiny.yaml")
        try """
            name: tiny
            auth: { users: 2 }
            workflows: { count: 2 }
            phases: [{ name: hold, duration: 2s, clients: { to: 4 } }]
            groups: [{ name: w, steps: [connect, { subscribe: { workflow: own } }, { await: { until: end } }] }]
            publishers: [{ rate: 10/s, per: workflow, event: tool_update }]
            checks: [ordering]
            """.write(to: scenario, atomically: true, encoding: .utf8)
        let r = try run(["run", scenario.path, "--dashboard", "0", "--progress", "quiet", "--out", dir.appendingPathComponent("out").path])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.firstMatch(of: /dashboard: http:\/\/127\.0\.0\.1:[0-9]+\//) != nil, "\(r.output)")
        #expect(r.output.contains("dashboard: verdict sent to 0 open page(s)"), "\(r.output)")
    }

    /// A bare `--dashboard` (default port) is accepted even when an argument follows it.
    @Test func testTheDashboardPortIsOptional() throws {
        let r = try run(["run", "/nonexistent/scenario.yaml", "--dashboard", "--progress", "quiet"])
        #expect(r.status == 3, "the scenario fails to load (exit 3), not the arguments (exit 64): \(r.output)")
        #expect(!(r.output.contains("Error: The value")), "\(r.output)")
    }
}
