import Foundation
import XCTest
@testable import StampedeReports

/// Issue 15 items 8 and 9: every numeric flag is range-checked (a usage error, exit 64, with the
/// subcommand's usage), a busy port / missing or swapped TLS file / missing scenario file is one
/// sentence naming it (exit 3), an unwritable report fails the run, `--version`, `report junit`,
/// `--progress json`, and the report folder named with UTC time.
final class CLIMessagesTests: XCTestCase {
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
    func testATLSFlagWithoutItsPairIsAUsageError() throws {
        let dir = try temporaryDirectory()
        let r = try run(["serve", "--tls-cert", "/nonexistent/cert.pem"], in: dir)
        XCTAssertEqual(r.status, 64, r.output)
        XCTAssertTrue(r.output.contains("--tls-cert needs --tls-key"), r.output)
        XCTAssertTrue(r.output.contains("Usage: stampede serve"), r.output)
    }

    func testOutOfRangePortIsAUsageError() throws {
        let r = try run(["serve", "--port", "70000"])
        XCTAssertEqual(r.status, 64, r.output)
        XCTAssertTrue(r.output.contains("--port must be 0…65535, got 70000"), r.output)
        XCTAssertTrue(r.output.contains("Usage: stampede serve"), r.output)
        for flags in [["run", "x.yaml", "--threads", "0"], ["run", "x.yaml", "--workers", "0"],
                      ["serve", "--ping-interval", "0"], ["serve", "--max-connections-per-user=-1"],
                      ["compare", "a.json", "b.json", "--min-delta-ms=-1"]] {
            let r = try run(flags)
            XCTAssertEqual(r.status, 64, "\(flags): \(r.output)")
            XCTAssertTrue(r.output.contains("must be"), "\(flags): \(r.output)")
        }
    }

    func testABusyPortIsOneSentence() throws {
        let first = try CLIProcess(["serve", "--port", "0"])
        defer { first.signal(SIGTERM); _ = first.waitForExit(seconds: 10) }
        let out = first.waitFor(seconds: 30) { $0.contains("listening on ") }
        guard let port = out.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") })?.split(separator: ":").last else {
            return XCTFail(out)
        }
        let r = try run(["serve", "--port", String(port)])
        XCTAssertEqual(r.status, 3, r.output)
        XCTAssertTrue(r.output.contains("cannot listen on 127.0.0.1:\(port): the address is already in use"), r.output)
    }

    func testTLSFilesAreNamed() throws {
        let dir = try temporaryDirectory()
        let missing = try run(["serve", "--port", "0", "--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem"])
        XCTAssertEqual(missing.status, 3, missing.output)
        XCTAssertTrue(missing.output.contains("--tls-cert /nonexistent/cert.pem: no such file"), missing.output)
        let cert = dir.appendingPathComponent("cert.pem")
        try "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".write(to: cert, atomically: true, encoding: .utf8)
        let swapped = try run(["serve", "--port", "0", "--tls-cert", cert.path, "--tls-key", cert.path])
        XCTAssertEqual(swapped.status, 3, swapped.output)
        XCTAssertTrue(swapped.output.contains("--tls-key \(cert.path) holds a certificate, not a private key"), swapped.output)
    }

    func testAMissingScenarioFileSaysWhyWithoutZeroZero() throws {
        let r = try run(["run", "/nonexistent/scenario.yaml"])
        XCTAssertEqual(r.status, 3, r.output)
        XCTAssertTrue(r.output.contains("/nonexistent/scenario.yaml: error: no such scenario file"), r.output)
        XCTAssertFalse(r.output.contains(":0:0"), r.output)
    }

    func testVersionAndReportJUnit() throws {
        let v = try run(["--version"])
        XCTAssertEqual(v.status, 0, v.output)
        XCTAssertTrue(v.output.hasPrefix(StampedeVersion.number), v.output)
        let dir = try temporaryDirectory()
        let json = dir.appendingPathComponent("report.json")
        try SyntheticRun(seconds: 3, shards: 1).report(shards: [0]).jsonData().write(to: json)
        let junit = try run(["report", "junit", json.path])
        XCTAssertEqual(junit.status, 0, junit.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("junit.xml").path))
        XCTAssertNotEqual(try run(["report", "j-unit", json.path]).status, 0)
        let completion = try run(["--generate-completion-script", "bash"])
        XCTAssertEqual(completion.status, 0)
        XCTAssertTrue(completion.output.contains("_stampede"), String(completion.output.prefix(200)))
    }

    func testProgressJSONAndTheUTCReportFolder() throws {
        let dir = try temporaryDirectory()
        let file = dir.appendingPathComponent("tiny.yaml")
        try Self.tiny.write(to: file, atomically: true, encoding: .utf8)
        let bogus = try run(["run", file.path, "--progress", "fancy"], in: dir)
        XCTAssertEqual(bogus.status, 64, bogus.output)
        XCTAssertTrue(bogus.output.contains("Please provide one of 'auto', 'tty', 'lines', 'json' or 'quiet'"), bogus.output)
        let r = try run(["run", file.path, "--progress", "json", "--threads", "1"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        let line = r.output.split(separator: "\n").first { $0.hasPrefix("{") }
        XCTAssertNotNil(line, r.output)
        let object = try JSONSerialization.jsonObject(with: Data((line ?? "{}").utf8)) as? [String: Any]
        XCTAssertEqual(object?["phase"] as? String, "p")
        XCTAssertNotNil(object?["remaining_s"])
        let folders = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("reports").path)
        XCTAssertEqual(folders.count, 1)
        XCTAssertNotNil(folders.first?.range(of: #"^tiny-\d{8}T\d{6}Z$"#, options: .regularExpression), "\(folders)")
    }

    func testAReportThatCannotBeWrittenFailsTheRun() throws {
        let dir = try temporaryDirectory()
        let file = dir.appendingPathComponent("tiny.yaml")
        try Self.tiny.write(to: file, atomically: true, encoding: .utf8)
        let blocker = dir.appendingPathComponent("not-a-directory")
        try "x".write(to: blocker, atomically: true, encoding: .utf8)
        let r = try run(["run", file.path, "--out", blocker.appendingPathComponent("out").path, "--progress", "quiet", "--threads", "1"])
        XCTAssertEqual(r.status, 3, r.output)
        XCTAssertTrue(r.output.contains("could not write the report to \(blocker.path)/out"), r.output)
    }
}

/// Issue 15 item 11: `stampede init` writes a starter file, never over an existing one unasked.
final class InitCommandTests: XCTestCase {
    func testInitWritesAStarterAndRefusesToOverwrite() throws {
        let dir = try temporaryDirectory()
        let file = dir.appendingPathComponent("gate.yaml").path
        let first = try CLIProcess(["init", "ci-gate", "-o", file])
        XCTAssertEqual(first.waitForExit(seconds: 30), 0, first.output)
        XCTAssertTrue(try String(contentsOfFile: file, encoding: .utf8).contains("name: ci-gate"))
        let again = try CLIProcess(["init", "ci-gate", "-o", file])
        XCTAssertEqual(again.waitForExit(seconds: 30), 3, again.output)
        XCTAssertTrue(again.output.contains("pass --force"), again.output)
        let bogus = try CLIProcess(["init", "bogus"])
        XCTAssertEqual(bogus.waitForExit(seconds: 30), 64, bogus.output)
        XCTAssertTrue(bogus.output.contains("smoke, fan-out, soak, ci-gate"), bogus.output)
    }
}
