import SocketIOWire
import StampedeConformance
import StampedeJSON
import Foundation
import Testing

extension ServerSuites {
    /// SOCKETIO.md, the polling → WebSocket upgrade.
    @Suite(.serialized) final class EngineIOUpgradeTests {
        var h: TransportHarness!

        init() async throws { h = try await TransportHarness.start { $0.upgradeTimeoutMs = 500 } }
        /// Swift Testing makes one suite instance per test and releases it when the test
        /// ends; the async stop that XCTest's tearDown awaited runs behind it.
        deinit { Task { [h] in await h?.stop() } }

        @Test func testProbeAnswersPendingGETWithNoopThenUpgradeFlushesTheBuffer() async throws {
            let (sid, _) = try await h.pollingHandshake()
            _ = try await h.post(sid, "40")
            let v1 = try await h.poll(sid).text.hasPrefix("40{")
            #expect(v1)
            let getter = try await h.connection()
            try await getter.sendRequest("GET", TransportHarness.pollPath(sid))
            try await h.waitUntilHolding(sid, .get)

            let ws = try await RawWebSocket.connect(port: h.port, group: h.clientGroup, sid: sid)
            try await ws.sendText("2probe")
            let v2 = try await ws.nextText()
            #expect(v2 == "3probe")
            let pending = try await getter.readResponse()
            #expect(pending?.text == "6", "the pending GET is answered promptly")

            // Queued while the upgrade is in flight: must arrive on the WebSocket.
            _ = try await h.post(sid, "421[\"echo\",\"during\"]")
            try await ws.sendText("5")
            let v3 = try await ws.nextText()
            #expect(v3 == "431[\"during\"]")
            let upgraded = await h.domain.upgrades.next()
            #expect(upgraded == "socket-1")

            // After the upgrade polling is a bad request (code 3).
            let late = try await h.poll(sid)
            #expect(late.status == 400)
            #expect(try JSONParser.parse(late.text)["code"] == 3)

            // A second WebSocket for the sid is closed at once.
            let second = try await RawWebSocket.connect(port: h.port, group: h.clientGroup, sid: sid)
            let secondClosed = await second.waitClosed(timeout: 2)
            #expect(secondClosed)

            // The upgraded socket still works.
            try await ws.sendText("422[\"echo\",\"after\"]")
            let v4 = try await ws.nextText()
            #expect(v4 == "432[\"after\"]")
        }

        @Test func testOtherPacketBeforeUpgradeClosesOnlyTheProbe() async throws {
            let (sid, _) = try await h.pollingHandshake()
            let ws = try await RawWebSocket.connect(port: h.port, group: h.clientGroup, sid: sid)
            try await ws.sendText("2probe")
            let v5 = try await ws.nextText()
            #expect(v5 == "3probe")
            try await ws.sendText("4hello")
            let probeClosed = await ws.waitClosed(timeout: 2)
            #expect(probeClosed)
            // The polling session lives on.
            let r = try await h.post(sid, "40")
            #expect(r.status == 200)
            let v6 = try await h.poll(sid).text.hasPrefix("40{")
            #expect(v6)
        }

        @Test func testNoUpgradeWithinTheTimeoutClosesTheProbe() async throws {
            let (sid, _) = try await h.pollingHandshake()
            let ws = try await RawWebSocket.connect(port: h.port, group: h.clientGroup, sid: sid)
            try await ws.sendText("2probe")
            let v7 = try await ws.nextText()
            #expect(v7 == "3probe")
            let closed = await ws.waitClosed(timeout: 3)
            #expect(closed, "no 5 within upgradeTimeout closes the probe")
            let v8 = try await h.post(sid, "6").status
            #expect(v8 == 200, "the session stays on polling")
        }

        @Test func testRefusedUpgradeGetsAPlain400AndTheSocketCloses() async throws {
            let c = try await h.connection()
            try await c.sendRequest("GET", "/socket.io/?EIO=4&transport=websocket&sid=unknown", headers: [
                ("Upgrade", "websocket"), ("Connection", "Upgrade"),
                ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13"),
            ])
            let r = try await c.readResponse()
            #expect(r?.status == 400)
            #expect(r?.text == "Session ID unknown")
            #expect(r?.contentType != "application/json")
            let closed = await c.waitClosed()
            #expect(closed)
        }
    }
}
