import Foundation
import Testing

/// Issue 15 item 7 (the progress half): check violations are printed as they happen, the line
/// names the metric its percentile is of, and the time left is the run's, not the phase's.
@Suite(.serialized) final class LiveProgressTests: MakesTemporaryDirectories {
    let temporaryDirectories = TemporaryDirectories()
    /// A wrong-audience token against a server that checks no audience: auth_rejected is violated.
    static let scenario = """
    name: progress
    auth: { users: 2 }
    phases:
      - { name: first, duration: 3s, clients: 2 }
      - { name: second, duration: 3s }
    groups:
      - name: lax
        steps: [{ connect: { token: wrong_audience } }, { await: { until: end } }]
      - name: fine
        steps: [connect, { await: { until: end } }]
    checks: [auth_rejected]
    drain: 200ms
    """

    func run(_ progress: String) throws -> (Int32?, String) {
        let dir = try temporaryDirectory(progress)
        let file = dir.appendingPathComponent("progress.yaml")
        try Self.scenario.write(to: file, atomically: true, encoding: .utf8)
        let p = try CLIProcess(["run", file.path, "--progress", progress, "--threads", "1", "--out", dir.appendingPathComponent("r").path])
        let status = p.waitForExit(seconds: 60)
        return (status, p.output)
    }

    @Test func testViolationsArePrintedAsTheyHappen() throws {
        _ = try CLIProcess.binary()
        let (status, out) = try run("lines")
        #expect(status == 2, "\(out)")
        let violation = out.split(separator: "\n").first { $0.contains("VIOLATION auth_rejected") }
        #expect(violation != nil, "\(out)")
        #expect(violation?.contains("expected CONNECT_ERROR audience_mismatch") == true, "\(out)")
        // The 5 s line: in the second phase, with the run's remaining time and the metric named.
        let line = out.split(separator: "\n").first { $0.hasPrefix("[   5s]") }
        #expect(line?.contains("second (run: 1s left)") == true, "\(out)")
        #expect(line?.contains("event_delivery p99") == true && line?.contains("violations 1") == true, "\(out)")
    }

    @Test func testJSONProgressCarriesViolations() throws {
        _ = try CLIProcess.binary()
        let (status, out) = try run("json")
        #expect(status == 2, "\(out)")
        #expect(out.contains(#""violation":"auth_rejected""#), "\(out)")
        #expect(out.contains(#""violations":1"#), "\(out)")
    }
}
