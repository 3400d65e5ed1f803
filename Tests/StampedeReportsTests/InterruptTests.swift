import Foundation
import Testing
@testable import StampedeReports

/// Issue 15 item 3: Ctrl-C used to lose everything (exit 130, no summary, no report, workflows
/// left running on the external server). The first SIGINT/SIGTERM now stops the load, drains,
/// writes every report marked `interrupted`, ends the workflows it created, and exits 4;
/// a second signal aborts at once.
@Suite(.serialized) final class InterruptTests: MakesTemporaryDirectories {
    let temporaryDirectories = TemporaryDirectories()
    static let scenario = """
    name: interrupt
    auth: { users: 4 }
    workflows: { count: 4 }
    phases: [{ name: hold, duration: 60s, clients: 8 }]
    groups:
      - name: watcher
        steps: [connect, { subscribe: own }, { await: { until: end } }]
    publishers: [{ rate: 10/s, per: workflow, event: node_update }]
    checks: [ordering]
    drain: 500ms
    """

    func startServer() throws -> (CLIProcess, String) {
        let server = try CLIProcess(["serve", "--port", "0", "--jwt-secret", "interrupt-secret"])
        let out = server.waitFor(seconds: 30) { $0.contains("listening on ") }
        guard let line = out.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) else {
            Issue.record("serve printed no address: \(out)")
            try Test.cancel("no server")
        }
        return (server, String(line.dropFirst("listening on ".count)))
    }

    @Test func testFirstSignalDrainsAndWritesInterruptedReports() throws {
        _ = try CLIProcess.binary()
        let dir = try temporaryDirectory()
        let file = dir.appendingPathComponent("interrupt.yaml")
        try Self.scenario.write(to: file, atomically: true, encoding: .utf8)
        let (server, url) = try startServer()
        defer { server.signal(SIGTERM); _ = server.waitForExit(seconds: 10) }

        let out = dir.appendingPathComponent("report")
        let run = try CLIProcess(["run", file.path, "--target", url, "--jwt-secret", "interrupt-secret",
                                  "--out", out.path, "--progress", "lines", "--threads", "1"])
        // The first progress line (every 5 s) says the load is running.
        run.waitFor(seconds: 30) { $0.contains("conns") }
        run.signal(SIGINT)
        let status = run.waitForExit(seconds: 60)
        #expect(status == 4, "\(run.output)")
        #expect(run.output.contains("result: interrupted (exit 4)"), "\(run.output)")

        let report = try RunReport.load(from: out.appendingPathComponent("report.json"))
        #expect(report.verdict == .interrupted)
        #expect(report.exitCode == 4)
        #expect(report.abortReason?.contains("interrupted by SIGINT") == true, "\(report.abortReason ?? "")")
        // The four external workflows it created were ended on the server (2xx for each).
        #expect(report.abortReason?.contains("ended 4 of 4 workflow(s)") == true, "\(report.abortReason ?? "")")
        #expect(report.metrics["event_delivery"]?.count ?? 0 > 0, "the numbers so far are kept")
        let junit = try String(contentsOf: out.appendingPathComponent("junit.xml"), encoding: .utf8)
        #expect(junit.contains("type=\"interrupted\""), "\(junit)")
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("verdict interrupted"))
    }

    @Test func testSecondSignalAbortsAtOnce() throws {
        _ = try CLIProcess.binary()
        let dir = try temporaryDirectory()
        let file = dir.appendingPathComponent("interrupt.yaml")
        // A long drain: only an abort ends it quickly.
        try Self.scenario.replacingOccurrences(of: "drain: 500ms", with: "drain: 120s").write(to: file, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("report")
        let run = try CLIProcess(["run", file.path, "--out", out.path, "--progress", "lines", "--threads", "1"])
        run.waitFor(seconds: 30) { $0.contains("conns") }
        run.signal(SIGTERM)
        run.waitFor(seconds: 10) { $0.contains("stopping the load") }
        run.signal(SIGTERM)
        let status = run.waitForExit(seconds: 60)
        #expect(status == 128 + SIGTERM, "\(run.output)")
        #expect(run.output.contains("aborted, no report written"), "\(run.output)")
        #expect(!(FileManager.default.fileExists(atPath: out.appendingPathComponent("report.json").path)))
    }
}
