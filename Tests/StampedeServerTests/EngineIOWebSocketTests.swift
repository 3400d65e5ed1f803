import SocketIOWire
import StampedeJSON
import XCTest

/// SOCKETIO.md, the WebSocket transport and the heartbeat.
final class EngineIOWebSocketTests: XCTestCase {
    var h: TransportHarness!

    override func setUp() async throws {
        h = try await TransportHarness.start {
            $0.pingIntervalMs = 300
            $0.pingTimeoutMs = 200
            $0.maxPayload = 1000
        }
    }
    override func tearDown() async throws { await h.stop() }

    func testWebSocketOpenPacketOffersNoUpgrades() async throws {
        let (_, open) = try await h.webSocket()
        XCTAssertEqual(Set(open.objectValue!.keys), ["sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"])
        XCTAssertEqual(open["upgrades"], [])
        XCTAssertEqual(open["pingInterval"], 300)
    }

    func testServerPingsAndAPongStartsTheNextCycle() async throws {
        let (ws, _) = try await h.webSocket()
        for _ in 0..<3 {
            guard case .text(let t)? = await ws.next(timeout: 2) else { return XCTFail("no ping") }
            XCTAssertEqual(t, "2")
            try await ws.sendText("3")
        }
        // Three cycles passed: longer than pingInterval + pingTimeout, still open.
        XCTAssertFalse(ws.inbox.isFinished)
    }

    func testNoPongClosesTheSessionAfterIntervalPlusTimeout() async throws {
        let (joined, _) = try await h.joinedWebSocket()
        _ = joined
        let start = ContinuousClock.now
        guard case .text("2")? = await joined.next(timeout: 2) else { return XCTFail("no ping") }
        let closed = await joined.waitClosed(timeout: 3)
        XCTAssertTrue(closed)
        let elapsed = ContinuousClock.now - start
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(450), "not before pingInterval + pingTimeout")
        let end = await h.domain.ended.next()
        XCTAssertEqual(end?.reason, .transportLost(recoverable: true), "a ping timeout is recoverable")
    }

    func testClientPingIsAnErrorThatClosesTheSession() async throws {
        let (ws, _) = try await h.webSocket()
        try await ws.assertClosed(after: "2")
    }

    func testFrameOverMaxPayloadClosesTheSocket() async throws {
        let (ws, _) = try await h.webSocket()
        try await ws.assertClosed(after: "4" + String(repeating: "x", count: 5000))
    }

    func testUnparsableFrameClosesTheSocket() async throws {
        let (ws, _) = try await h.webSocket()
        try await ws.assertClosed(after: "x")
    }

    func testPollingOnAWebSocketSessionIsBadRequest() async throws {
        let (_, open) = try await h.webSocket()
        let r = try await h.poll(open["sid"]!.stringValue!)
        XCTAssertEqual(r.status, 400)
        XCTAssertEqual(try JSONParser.parse(r.text)["code"], 3)
    }

    func testSecondWebSocketForAWebSocketSessionIsClosedAtOnce() async throws {
        let (_, open) = try await h.webSocket()
        let second = try await RawWebSocket.connect(port: h.port, group: h.clientGroup, sid: open["sid"]!.stringValue!)
        let closed = await second.waitClosed(timeout: 2)
        XCTAssertTrue(closed)
    }
}
