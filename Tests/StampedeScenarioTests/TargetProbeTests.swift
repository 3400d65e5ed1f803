import Foundation
import StampedeClient
import NIOPosix
import Testing
@testable import StampedeScenario

/// Issue 15 item 2: a web server that is not a Socket.IO server is named as such (exit 3), with
/// one line of what it answered, never "unreachable (GET /health failed)" nor an HTML dump.
@Suite(.serialized) struct TargetProbeTests {
    /// A real HTTP server (python's http.server) answering every GET with `status` and an HTML page,
    /// and `/health` with 200 so only the handshake probe can tell.
    final class PlainWebServer {
        let process = Process()
        let port: Int

        init(status: Int) throws {
            let script = """
            import http.server, sys
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    ok = self.path == '/health'
                    body = b'{"status":"ok"}' if ok else b'<html><head><title>Oops</title></head><body><h1>Error \(status)</h1><p>Not here.</p></body></html>'
                    self.send_response(200 if ok else \(status))
                    self.send_header('Content-Type', 'application/json' if ok else 'text/html; charset=utf-8')
                    self.send_header('Content-Length', str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *a): pass
            s = http.server.HTTPServer(('127.0.0.1', 0), H)
            print(s.server_address[1], flush=True)
            s.serve_forever()
            """
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-u", "-c", script]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                line.append(chunk)
            }
            guard let p = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
                kill(process.processIdentifier, SIGKILL)
                throw CocoaError(.fileReadUnknown)
            }
            port = p
        }

        /// SIGKILL: the test process may ignore SIGTERM, and an ignored signal stays ignored across exec.
        deinit { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        var url: String { "http://127.0.0.1:\(port)" }
    }

    /// python3 anywhere on PATH (CI installs Debian's).
    static func hasPython() -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/python3") }
    }

    static func run(against url: String) async throws -> RunOutcome {
        let s = try ScenarioLoader.parse(DefaultGateParsingTests.bare)
        var o = RunOptions(baseURL: url, jwtSecret: "dev-secret", embedded: false)
        o.progress = .quiet
        return await ScenarioRunner.run(s, options: o)
    }

    @Test(.enabled(if: hasPython())) func a404IsNotASocketIOServer() async throws {
        let web = try PlainWebServer(status: 404)
        let outcome = try await Self.run(against: web.url)
        #expect(outcome.exitCode == 3)
        let why = outcome.report.abortReason ?? ""
        #expect(why.contains("not a Socket.IO server"), "\(why)")
        #expect(why.contains("404 text/html"), "\(why)")
        #expect(!why.contains("unreachable"))
    }

    @Test(.enabled(if: hasPython())) func anHTML501IsSummarisedNotDumped() async throws {
        let web = try PlainWebServer(status: 501)
        let outcome = try await Self.run(against: web.url)
        #expect(outcome.exitCode == 3)
        let why = outcome.report.abortReason ?? ""
        #expect(why.contains("not a Socket.IO server") && why.contains("501"), "\(why)")
        #expect(!why.contains("<html>") && !why.contains("<h1>"), "\(why)")
        #expect(why.contains("Error 501"), "\(why)")
    }

    @Test func aClosedPortIsUnreachable() async throws {
        let outcome = try await Self.run(against: "http://127.0.0.1:1")
        #expect(outcome.exitCode == 3)
        #expect(outcome.report.abortReason?.contains("unreachable") == true, "\(outcome.report.abortReason ?? "")")
    }

    @Test func stampedesServerPassesTheProbe() async throws {
        let server = try await EndToEndTests.server()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let http = HTTPClient(endpoint: try ServerEndpoint(url: server.baseURL), eventLoopGroup: group)
        let verdict = await TargetProbe.probe(http)
        http.shutdown()
        try await group.shutdownGracefully()
        try await server.shutdown()
        #expect(verdict.problem == nil, "\(verdict)")
    }
}
