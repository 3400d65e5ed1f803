import SocketIOWire
import StampedeConformance
import StampedeJSON
import Foundation
import StampedeTestSupport
import Testing

extension ServerSuites {
    /// SOCKETIO.md, the WebSocket transport and the heartbeat.
    @Suite(.serialized) final class EngineIOWebSocketTests {
        var h: TransportHarness!

        init() async throws {
            h = try await TransportHarness.start {
                $0.pingIntervalMs = 300
                $0.pingTimeoutMs = 200
                $0.maxPayload = 1000
            }
        }
        /// Swift Testing makes one suite instance per test and releases it when the test
        /// ends; the async stop that XCTest's tearDown awaited runs behind it.
        deinit { Task { [h] in await h?.stop() } }

        @Test func testWebSocketOpenPacketOffersNoUpgrades() async throws {
            let (_, open) = try await h.webSocket()
            #expect(Set(open.objectValue!.keys) == ["sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"])
            #expect(open["upgrades"] == [])
            #expect(open["pingInterval"] == 300)
        }

        @Test func testServerPingsAndAPongStartsTheNextCycle() async throws {
            let (ws, _) = try await h.webSocket()
            for _ in 0..<3 {
                guard case .text(let t)? = await ws.next(timeout: 2) else { Issue.record("no ping"); return }
                #expect(t == "2")
                try await ws.sendText("3")
            }
            // Three cycles passed: longer than pingInterval + pingTimeout, still open.
            #expect(!(ws.inbox.isFinished))
        }

        @Test func testNoPongClosesTheSessionAfterIntervalPlusTimeout() async throws {
            let (joined, _) = try await h.joinedWebSocket()
            _ = joined
            let start = ContinuousClock.now
            guard case .text("2")? = await joined.next(timeout: 2) else { Issue.record("no ping"); return }
            let closed = await joined.waitClosed(timeout: 3)
            #expect(closed)
            let elapsed = ContinuousClock.now - start
            #expect(elapsed >= .milliseconds(450), "not before pingInterval + pingTimeout")
            let end = await h.domain.ended.next()
            #expect(end?.reason == .transportLost(recoverable: true), "a ping timeout is recoverable")
        }

        @Test func testClientPingIsAnErrorThatClosesTheSession() async throws {
            let (ws, _) = try await h.webSocket()
            try await ws.assertClosed(after: "2")
        }

        @Test func testFrameOverMaxPayloadClosesTheSocket() async throws {
            let (ws, _) = try await h.webSocket()
            try await ws.assertClosed(after: "4" + String(repeating: "x", count: 5000))
        }

        @Test func testUnparsableFrameClosesTheSocket() async throws {
            let (ws, _) = try await h.webSocket()
            try await ws.assertClosed(after: "x")
        }

        @Test func testPollingOnAWebSocketSessionIsBadRequest() async throws {
            let (_, open) = try await h.webSocket()
            let r = try await h.poll(open["sid"]!.stringValue!)
            #expect(r.status == 400)
            #expect(try JSONParser.parse(r.text)["code"] == 3)
        }

        @Test func testSecondWebSocketForAWebSocketSessionIsClosedAtOnce() async throws {
            let (_, open) = try await h.webSocket()
            let second = try await RawWebSocket.connect(port: h.port, group: h.clientGroup, sid: open["sid"]!.stringValue!)
            let closed = await second.waitClosed(timeout: 2)
            #expect(closed)
        }
    }
}
