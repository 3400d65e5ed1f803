import Foundation
import NIOCore
import SocketIOWire
import StampedeConformance
import StampedeJSON
import StampedeTestSupport
import Testing

@testable import StampedeServer

extension ServerSuites {
    /// Issue 9: what clients nobody here wrote need — browsers on another
    /// origin, aiohttp's pooled upgrade, the official client's transport close,
    /// Python handlers without offsets, and requests that race a close.
    @Suite(.serialized) final class RealClientInteropTests {
        private var h: HubServerHarness!
        private let app = "http://app.example:3000"

        private func start(_ tweak: (inout ServerConfiguration) -> Void = { _ in }) async throws {
            h = try await HubServerHarness.start(tweak)
        }

        /// Swift Testing makes one suite instance per test and releases it when the test
        /// ends; the async stop that XCTest's tearDown awaited runs behind it.
        deinit { Task { [h] in await h?.stop() } }

        private func preflight(_ path: String, origin: String) async throws -> RawHTTPConnection.Response {
            try await h.request("OPTIONS", path, headers: [("Origin", origin), ("Access-Control-Request-Method", "POST"),
                                                           ("Access-Control-Request-Headers", "authorization, content-type")])
        }

        @Test func testCORSPreflightsAndHeadersForAnAllowedOriginAndNoneForOthers() async throws {
            try await start { $0.corsOrigins = ["http://app.example:3000"] }
            for path in ["/api/v1/workflows", "/socket.io/?EIO=4&transport=polling"] {
                let ok = try await preflight(path, origin: app)
                #expect(ok.status == 204, "\(path)")
                #expect(ok.headers["access-control-allow-origin"] == app, "\(path)")
                #expect(ok.headers["access-control-allow-headers"]?.contains("Authorization") ?? false, "\(path)")
                #expect(ok.headers["access-control-max-age"] == "600", "\(path)")
                let refused = try await preflight(path, origin: "http://evil.example")
                #expect(refused.status == 403, "\(path)")
                #expect(refused.headers["access-control-allow-origin"] == nil, "\(path)")
            }
            let poll = try await h.request("GET", "/socket.io/?EIO=4&transport=polling", headers: [("Origin", app)])
            #expect(poll.status == 200)
            #expect(poll.headers["access-control-allow-origin"] == app, "polling answers carry the header")
            let other = try await h.request("GET", "/socket.io/?EIO=4&transport=polling", headers: [("Origin", "http://evil.example")])
            #expect(other.headers["access-control-allow-origin"] == nil)
            let create = try await h.request("POST", "/api/v1/workflows", token: h.token("alice"), body: #"{"type":"external"}"#,
                                             headers: [("Origin", app)])
            #expect(create.status == 202)
            #expect(create.headers["access-control-allow-origin"] == app)
        }

        @Test func testWebSocketFromADisallowedOriginIsRefused() async throws {
            try await start { $0.corsOrigins = ["http://app.example:3000"] }
            let refused = try await h.connection()
            try await refused.send(RawFrames.upgradeRequest(port: h.port, extra: [("Origin", "http://evil.example")]))
            let r = try await refused.readResponse(timeout: 3)
            #expect(r?.status == 403)
            let allowed = try await h.connection()
            try await allowed.send(RawFrames.upgradeRequest(port: h.port, extra: [("Origin", app)]))
            let head = await allowed.readHead()
            #expect(head?.hasPrefix("HTTP/1.1 101") ?? false, "\(head ?? "nil")")
        }

        @Test func testWithoutCORSConfiguredNoHeadersAreSent() async throws {
            try await start()
            let poll = try await h.request("GET", "/socket.io/?EIO=4&transport=polling", headers: [("Origin", app)])
            #expect(poll.headers["access-control-allow-origin"] == nil)
        }

        /// aiohttp sends the upgrade on a pooled connection that carried polling.
        @Test func testUpgradeOnAKeepAliveConnectionThatCarriedPollingRequests() async throws {
            try await start()
            let c = try await h.connection()
            let open = try await c.request("GET", "/socket.io/?EIO=4&transport=polling")
            let sid = try JSONParser.parse(String(open.text.dropFirst()))["sid"]!.stringValue!
            let post = try await c.request("POST", "/socket.io/?EIO=4&transport=polling&sid=\(sid)", body: #"40{"token":"\#(h.token("py"))"}"#)
            #expect(post.status == 200)
            let joined = try await c.request("GET", "/socket.io/?EIO=4&transport=polling&sid=\(sid)")
            #expect(joined.text.hasPrefix("40{"), "\(joined.text)")
            try await c.send(RawFrames.upgradeRequest(path: "/socket.io/?EIO=4&transport=websocket&sid=\(sid)", port: h.port))
            let head = await c.readHead()
            #expect(head?.hasPrefix("HTTP/1.1 101") ?? false, "the third request of the connection upgrades: \(head ?? "nil")")
            try await c.send(RawFrames.frame(opcode: 0x1, payload: Array(EngineIOPacket.probePing.textFrame.utf8)))
            let (bytes, _) = await c.collect(timeout: 1)
            #expect(String(decoding: bytes, as: UTF8.self).contains("3probe"))
        }

        /// The official client's `socket.io.engine.close()` on polling sends `1`.
        @Test func testPollingEngineCloseIsRecoverableAndMissedEventsReplay() async throws {
            try await start()
            let id = try await h.createWorkflow(owner: "alice")
            let (_, path) = try await h.pollingSession()
            _ = try await h.request("POST", path, body: #"40{"token":"\#(h.token("alice"))"}"#)
            let reply = try await h.request("GET", path).text
            let pid = try JSONParser.parse(String(reply.dropFirst(2)))["pid"]!.stringValue!
            _ = try await h.request("POST", path, body: #"421["subscribe",{"workflow_id":"\#(id)"}]"#)
            _ = try await h.request("GET", path)
            try await h.publish(id, count: 1, size: 10)
            let live = try await h.request("GET", path).text
            let offset = try SocketIOPacket.decode(String(live.dropFirst())).eventArguments.last!.stringValue!
            _ = try await h.request("POST", path, body: "1")
            try await h.publish(id, count: 2, size: 10)
            let ws = try await RawWebSocket.connect(port: h.port, group: h.clientGroup)
            _ = try await ws.nextText()
            try await ws.sendText(#"40{"token":"\#(h.token("alice"))","pid":"\#(pid)","offset":"\#(offset)"}"#)
            // The replay may come before the CONNECT reply (the reference's order).
            var seqs: [Int64] = []
            var again = ""
            while seqs.count < 2 || again.isEmpty, let t = try await ws.nextText(timeout: 3) {
                if t.hasPrefix("40") { again = t }
                if t.hasPrefix("42["), let s = try SocketIOPacket.decode(String(t.dropFirst())).eventArguments.first?["seq"]?.intValue { seqs.append(s) }
            }
            #expect(again.contains(#""pid":"\#(pid)""#), "same pid: recovered (\(again))")
            #expect(seqs == [2, 3], "the events missed after the transport close")
        }

        @Test func testRecoveryOffMeansNoPidAndNoOffsets() async throws {
            try await start { $0.connectionStateRecovery = false }
            let id = try await h.createWorkflow(owner: "bob")
            let (ws, reply) = try await h.joinedWebSocket(user: "bob")
            #expect(!(reply.contains("pid")), "\(reply)")
            try await ws.sendText(#"421["subscribe",{"workflow_id":"\#(id)"}]"#)
            _ = try await ws.nextText()
            try await h.publish(id, count: 1, size: 10)
            let event = try await ws.nextText() ?? ""
            #expect(try SocketIOPacket.decode(String(event.dropFirst())).eventArguments.count == 1, "one argument: a handler `def on_update(data)` works: \(event)")
        }

        /// A GET routed while the session lived but reaching it after the POST
        /// with `1` closed it gets what a pending GET gets (`6`); one sent after
        /// the close gets 400.
        @Test func testGETThatRacedTheClosingPOSTIsAnsweredAsIfItCameFirst() async throws {
            try await start()
            let (_, path) = try await h.pollingSession()
            let racer = try await h.connection()
            // Routed now (head), handed to the session only at its end.
            try await racer.send("GET \(path) HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n")
            try await Task.sleep(for: .milliseconds(100))
            let close = try await h.request("POST", path, body: "1")
            #expect(close.status == 200)
            try await racer.send("abc")
            let raced = try await racer.readResponse(timeout: 3)
            #expect(raced?.status == 200)
            #expect(raced?.text == "6")
            let later = try await h.request("GET", path)
            #expect(later.status == 400)
        }

        /// A GET sent right after `5` may reach the session before it: held for
        /// the reference's 100 ms check interval, it gets what a GET after the
        /// upgrade gets, 400.
        @Test func testGETThatOvertookTheUpgradeIsAnsweredAsAfterIt() async throws {
            try await start()
            let (sid, _) = try await h.pollingSession()
            let ws = try await h.answeredProbe(sid: sid)
            let early = try await h.connection()
            try await early.sendRequest("GET", "/socket.io/?EIO=4&transport=polling&sid=\(sid)")
            try await Task.sleep(for: .milliseconds(20))
            try await ws.sendText("5")
            let r = try await early.readResponse(timeout: 3)
            #expect(r?.status == 400, "\(r?.text ?? "nil")")
            let later = try await h.request("GET", "/socket.io/?EIO=4&transport=polling&sid=\(sid)")
            #expect(later.status == 400)
        }

        @Test func testGETDuringTheUpgradeWithoutA5GetsANoopAfterTheCheckInterval() async throws {
            try await start()
            let (sid, _) = try await h.pollingSession()
            let probe = try await h.answeredProbe(sid: sid)  // kept open: the upgrade is pending
            let r = try await h.request("GET", "/socket.io/?EIO=4&transport=polling&sid=\(sid)")
            #expect(r.status == 200)
            #expect(r.text == "6")
            probe.close()
        }

        @Test func testEnginePathIsConfigurable() async throws {
            try await start { $0.enginePath = "/rt/" }
            let r = try await h.request("GET", "/rt/?EIO=4&transport=polling")
            #expect(r.status == 200)
            #expect(r.text.hasPrefix("0{"))
            let old = try await h.request("GET", "/socket.io/?EIO=4&transport=polling")
            #expect(old.status == 404)
        }
    }
}
