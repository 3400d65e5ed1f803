import Foundation
import NIOCore
import StampedeConformance
import StampedeJSON
import StampedeServer
import StampedeTestSupport
import Testing

extension ServerSuites {
    /// Issue 9, in a real browser: a page served from a second origin (another
    /// port) uses Stampede from headless Chromium with plain `fetch`,
    /// `XMLHttpRequest` and `WebSocket` — the API with an Authorization header
    /// (a preflight), long-polling, and the upgrade. Allowed with
    /// `--cors-origin` set to the page's origin; refused for another.
    @Suite(.serialized) final class BrowserCORSTests {
        private func chromium() throws -> String {
            if let explicit = ProcessInfo.processInfo.environment["CHROMIUM"], !explicit.isEmpty { return explicit }
            for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
                for name in ["chromium", "chromium-browser", "google-chrome"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                    return "\(dir)/\(name)"
                }
            }
            try Test.cancel("chromium is not on PATH (Debian package `chromium`; .ci/run installs it)")
        }

        /// The page's origin: a second server whose API answers every path with the page.
        private final class PageDomain: SocketDomain, APIHandler, @unchecked Sendable {
            var html = ""
            /// What the page posted back to its own origin.
            let results = AsyncInbox<[UInt8]>()
            func connect(_ request: ConnectRequest, output: SocketOutput) -> EventLoopFuture<ConnectDecision> {
                output.eventLoop.makeSucceededFuture(.refuse(["message": "no"]))
            }
            func event(_ socket: DomainSocket, name: String, arguments: [JSONValue], ackID: UInt64?) {}
            func transportUpgraded(_ socket: DomainSocket) {}
            func socketEnded(_ socket: DomainSocket, reason: SocketEndReason) {}
            func handle(_ request: APIRequest) async -> APIResponse {
                if request.method == "POST" {
                    results.push(request.body)
                    return APIResponse(status: 204)
                }
                return APIResponse(status: 200, headers: [("Content-Type", "text/html; charset=utf-8")], body: Array(html.utf8))
            }
        }

        private func page(server: Int, token: String) -> String {
            """
            <!doctype html><html><body><script>
            const S = "http://127.0.0.1:\(server)", T = "\(token)", out = {};
            function xhr(method, url, body) {
              return new Promise(res => {
                const x = new XMLHttpRequest();
                x.open(method, url);
                x.onload = () => res(x.responseText);
                x.onerror = () => res("error");
                x.send(body || null);
              });
            }
            async function run() {
              try {
                const r = await fetch(S + "/api/v1/workflows", {method: "POST", body: '{"type":"external"}',
                  headers: {"Authorization": "Bearer " + T, "Content-Type": "application/json"}});
                out.api = r.status;
              } catch (e) { out.api = "error"; }
              const open = await xhr("GET", S + "/socket.io/?EIO=4&transport=polling");
              if (open === "error") { out.polling = "error"; out.upgrade = "not tried"; return done(); }
              const sid = JSON.parse(open.slice(1)).sid, u = S + "/socket.io/?EIO=4&transport=polling&sid=" + sid;
              await xhr("POST", u, '40{"token":"' + T + '"}');
              out.polling = (await xhr("GET", u)).slice(0, 2);
              out.upgrade = await new Promise(res => {
                const ws = new WebSocket(S.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket&sid=" + sid);
                ws.onopen = () => ws.send("2probe");
                ws.onmessage = m => { if (m.data === "3probe") { ws.send("5"); res("upgraded"); } };
                ws.onerror = () => res("error");
                ws.onclose = () => res("closed");
              });
              done();
            }
            function done() { fetch("/result", {method: "POST", body: JSON.stringify(out)}); }
            run();
            </script></body></html>
            """
        }

        /// Runs the page against a Stampede server allowing `allowed`; the page's outcome.
        private func outcome(allowing allowed: (Int) -> String) async throws -> JSONValue {
            let browser = try chromium()
            let pageDomain = PageDomain()
            var pc = ServerConfiguration()
            pc.port = 0
            let pageServer = try await EmbeddedServer.start(pc, domain: { _, _ in pageDomain })
            let h = try await HubServerHarness.start { $0.corsOrigins = [allowed(pageServer.port)] }
            defer { Task { await h.stop(); try? await pageServer.shutdown() } }
            pageDomain.html = page(server: h.port, token: h.token("browser-user"))

            // The page reports to its own origin; Chromium runs until then (real
            // time, not a virtual-time budget, which a loaded machine outruns).
            let process = Process()
            process.executableURL = URL(fileURLWithPath: browser)
            process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
                                 "--user-data-dir=" + FileManager.default.temporaryDirectory.appendingPathComponent("cors-\(UUID().uuidString)").path,
                                 "http://127.0.0.1:\(pageServer.port)/"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer { process.terminate() }
            guard let body = await pageDomain.results.next(timeout: 60) else {
                Issue.record("the page reported nothing within 60 s")
                return .null
            }
            return try JSONParser.parse(body)
        }

        @Test func testAPageOnAnAllowedOriginUsesTheAPIPollingAndTheUpgrade() async throws {
            let r = try await outcome { "http://127.0.0.1:\($0)" }
            #expect(r["api"] == 202, "\(r)")
            #expect(r["polling"] == "40", "\(r)")
            #expect(r["upgrade"] == "upgraded", "\(r)")
        }

        @Test func testAPageOnAnotherOriginIsRefusedEverywhere() async throws {
            let r = try await outcome { _ in "http://somewhere-else.example" }
            #expect(r["api"] == "error", "the preflight is refused: \(r)")
            #expect(r["polling"] == "error", "no CORS header: the browser hides the answer: \(r)")
        }
    }
}
