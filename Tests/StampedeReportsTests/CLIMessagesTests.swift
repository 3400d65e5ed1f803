import Foundation
import Testing
@testable import StampedeReports

/// Issue 15 items 8 and 9: every numeric flag is range-checked (a usage error, exit 64, with the
/// subcommand's usage), a busy port / missing or swapped TLS file / missing scenario file is one
/// sentence naming it (exit 3), an unwritable report fails the run, `--version`, `report junit`,
/// `--progress json`, and the report folder named with UTC time.
@Suite(.serialized) final class CLIMessagesTests: MakesTemporaryDirectories {
    let temporaryDirectories = TemporaryDirectories()
    func run(_ arguments: [String], in directory: URL? = nil, seconds: Double = 60) throws -> (status: Int32?, output: String) {
        let p = try CLIProcess(arguments, directory: directory)
        let status = p.waitForExit(seconds: seconds)
        return (status, p.output)
    }

    static let tiny = """
    name: tiny
    auth: { users: 2 }
    phases: [{ name: p, duration: 1s, clients: 2 }]
    groups: [{ name: g, steps: [connect, { await: { until: end } }] }]
    drain: 200ms
    """

    /// A TLS flag without its pair is a usage error naming the missing one (ArgumentParser's validate()).
    @Test func testATLSFlagWithoutItsPairIsAUsageError() throws {
        let dir = try temporaryDirectory()
        let r = try run(["serve", "--tls-cert", "/nonexistent/cert.pem"], in: dir)
        #expect(r.status == 64, "\(r.output)")
        #expect(r.output.contains("--tls-cert needs --tls-key"), "\(r.output)")
        #expect(r.output.contains("Usage: stampede serve"), "\(r.output)")
    }

    /// `--set` reaches the same fields as the named flags, so the merged configuration meets the
    /// same ranges (one table, `NumericServeFlag.all`, checks both).
    @Test func testSettingsGivenWithSetMeetTheNamedFlagsRanges() throws {
        for (setting, flag) in [("ping_interval=0", "--ping-interval"), ("max_connections_per_user=0", "--max-connections-per-user")] {
            let r = try run(["serve", "--port", "0", "--set", setting], seconds: 20)
            #expect(r.status == 64, "\(setting): \(r.output)")
            #expect(r.output.contains("\(flag) (") && r.output.contains("or its --set setting) must be"), "\(setting): \(r.output)")
        }
    }

    @Test func testOutOfRangePortIsAUsageError() throws {
        let r = try run(["serve", "--port", "70000"])
        #expect(r.status == 64, "\(r.output)")
        #expect(r.output.contains("--port must be 0…65535, got 70000"), "\(r.output)")
        #expect(r.output.contains("Usage: stampede serve"), "\(r.output)")
        for flags in [["run", "x.yaml", "--threads", "0"], ["run", "x.yaml", "--workers", "0"],
                      ["serve", "--ping-interval", "0"], ["serve", "--max-connections-per-user=-1"],
                      ["compare", "a.json", "b.json", "--min-delta-ms=-1"]] {
            let r = try run(flags)
            #expect(r.status == 64, "\(flags): \(r.output)")
            #expect(r.output.contains("must be"), "\(flags): \(r.output)")
        }
    }

    @Test func testABusyPortIsOneSentence() throws {
        let first = try CLIProcess(["serve", "--port", "0"])
        defer { first.signal(SIGTERM); _ = first.waitForExit(seconds: 10) }
        let out = first.waitFor(seconds: 30) { $0.contains("listening on ") }
        guard let port = out.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") })?.split(separator: ":").last else {
            Issue.record("\(out)")
            return
        }
        let r = try run(["serve", "--port", String(port)])
        #expect(r.status == 3, "\(r.output)")
        #expect(r.output.contains("cannot listen on 127.0.0.1:\(port): the address is already in use"), "\(r.output)")
    }

    @Test func testTLSFilesAreNamed() throws {
        let dir = try temporaryDirectory()
        let missing = try run(["serve", "--port", "0", "--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem"])
        #expect(missing.status == 3, "\(missing.output)")
        #expect(missing.output.contains("--tls-cert /nonexistent/cert.pem: no such file"), "\(missing.output)")
        let cert = dir.appendingPathComponent("cert.pem")
        try "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".write(to: cert, atomically: true, encoding: .utf8)
        let swapped = try run(["serve", "--port", "0", "--tls-cert", cert.path, "--tls-key", cert.path])
        #expect(swapped.status == 3, "\(swapped.output)")
        #expect(swapped.output.contains("--tls-key \(cert.path) holds a certificate, not a private key"), "\(swapped.output)")
    }

    @Test func testAMissingScenarioFileSaysWhyWithoutZeroZero() throws {
        let r = try run(["run", "/nonexistent/scenario.yaml"])
        #expect(r.status == 3, "\(r.output)")
        #expect(r.output.contains("/nonexistent/scenario.yaml: error: no such scenario file"), "\(r.output)")
        #expect(!(r.output.contains(":0:0")), "\(r.output)")
    }

    @Test func testVersionAndReportJUnit() throws {
        let v = try run(["--version"])
        #expect(v.status == 0, "\(v.output)")
        #expect(v.output.hasPrefix(StampedeVersion.number), "\(v.output)")
        let dir = try temporaryDirectory()
        let json = dir.appendingPathComponent("report.json")
        try SyntheticRun(seconds: 3, shards: 1).report(shards: [0]).jsonData().write(to: json)
        let junit = try run(["report", "junit", json.path])
        #expect(junit.status == 0, "\(junit.output)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("junit.xml").path))
        #expect(try run(["report", "j-unit", json.path]).status != 0)
        let completion = try run(["--generate-completion-script", "bash"])
        #expect(completion.status == 0)
        #expect(completion.output.contains("_stampede"), "\(String(completion.output.prefix(200)))")
    }

    @Test func testProgressJSONAndTheUTCReportFolder() throws {
        let dir = try temporaryDirectory()
        let file = dir.appendingPathComponent("tiny.yaml")
        try Self.tiny.write(to: file, atomically: true, encoding: .utf8)
        let bogus = try run(["run", file.path, "--progress", "fancy"], in: dir)
        #expect(bogus.status == 64, "\(bogus.output)")
        #expect(bogus.output.contains("Please provide one of 'auto', 'tty', 'lines', 'json' or 'quiet'"), "\(bogus.output)")
        let r = try run(["run", file.path, "--progress", "json", "--threads", "1"], in: dir)
        #expect(r.status == 0, "\(r.output)")
        let line = r.output.split(separator: "\n").first { $0.hasPrefix("{") }
        #expect(line != nil, "\(r.output)")
        let object = try JSONSerialization.jsonObject(with: Data((line ?? "{}").utf8)) as? [String: Any]
        #expect(object?["phase"] as? String == "p")
        #expect(object?["remaining_s"] != nil)
        let folders = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("reports").path)
        #expect(folders.count == 1)
        #expect(folders.first?.range(of: #"^tiny-\d{8}T\d{6}Z$"#, options: .regularExpression) != nil, "\(folders)")
    }

    @Test func testAReportThatCannotBeWrittenFailsTheRun() throws {
        let dir = try temporaryDirectory()
        let file = dir.appendingPathComponent("tiny.yaml")
        try Self.tiny.write(to: file, atomically: true, encoding: .utf8)
        let blocker = dir.appendingPathComponent("not-a-directory")
        try "x".write(to: blocker, atomically: true, encoding: .utf8)
        let r = try run(["run", file.path, "--out", blocker.appendingPathComponent("out").path, "--progress", "quiet", "--threads", "1"])
        #expect(r.status == 3, "\(r.output)")
        #expect(r.output.contains("could not write the report to \(blocker.path)/out"), "\(r.output)")
    }
}

/// Issue 15 item 11: `stampede init` writes a starter file, never over an existing one unasked.
@Suite(.serialized) final class InitCommandTests: MakesTemporaryDirectories {
    let temporaryDirectories = TemporaryDirectories()
    @Test func testInitWritesAStarterAndRefusesToOverwrite() throws {
        let dir = try temporaryDirectory()
        let file = dir.appendingPathComponent("gate.yaml").path
        let first = try CLIProcess(["init", "ci-gate", "-o", file])
        #expect(first.waitForExit(seconds: 30) == 0, "\(first.output)")
        #expect(try String(contentsOfFile: file, encoding: .utf8).contains("name: ci-gate"))
        let again = try CLIProcess(["init", "ci-gate", "-o", file])
        #expect(again.waitForExit(seconds: 30) == 3, "\(again.output)")
        #expect(again.output.contains("pass --force"), "\(again.output)")
        let bogus = try CLIProcess(["init", "bogus"])
        #expect(bogus.waitForExit(seconds: 30) == 64, "\(bogus.output)")
        #expect(bogus.output.contains("smoke, fan-out, soak, ci-gate"), "\(bogus.output)")
    }
}
