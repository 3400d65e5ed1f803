import Foundation
import XCTest
@testable import StampedeReports

/// Issue 15 item 3: Ctrl-C used to lose everything (exit 130, no summary, no report, workflows
/// left running on the external server). The first SIGINT/SIGTERM now stops the load, drains,
/// writes every report marked `interrupted`, ends the workflows it created, and exits 4;
/// a second signal aborts at once.
final class InterruptTests: XCTestCase {
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
            XCTFail("serve printed no address: \(out)")
            throw XCTSkip("no server")
        }
        return (server, String(line.dropFirst("listening on ".count)))
    }

    func testFirstSignalDrainsAndWritesInterruptedReports() throws {
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
        XCTAssertEqual(status, 4, run.output)
        XCTAssertTrue(run.output.contains("result: interrupted (exit 4)"), run.output)

        let report = try RunReport.load(from: out.appendingPathComponent("report.json"))
        XCTAssertEqual(report.verdict, .interrupted)
        XCTAssertEqual(report.exitCode, 4)
        XCTAssertTrue(report.abortReason?.contains("interrupted by SIGINT") == true, report.abortReason ?? "")
        // The four external workflows it created were ended on the server (2xx for each).
        XCTAssertTrue(report.abortReason?.contains("ended 4 of 4 workflow(s)") == true, report.abortReason ?? "")
        XCTAssertGreaterThan(report.metrics["event_delivery"]?.count ?? 0, 0, "the numbers so far are kept")
        let junit = try String(contentsOf: out.appendingPathComponent("junit.xml"), encoding: .utf8)
        XCTAssertTrue(junit.contains("type=\"interrupted\""), junit)
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("verdict interrupted"))
    }

    func testSecondSignalAbortsAtOnce() throws {
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
        XCTAssertEqual(status, 128 + SIGTERM, run.output)
        XCTAssertTrue(run.output.contains("aborted, no report written"), run.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("report.json").path))
    }
}
