import SocketIOWire
import StampedeJSON
import XCTest

/// SOCKETIO.md, Socket.IO v5 inside Engine.IO: connect, namespaces,
/// validation, acks, binary events, disconnect.
final class SocketIONamespaceTests: XCTestCase {
    var h: TransportHarness!

    override func setUp() async throws { h = try await TransportHarness.start { $0.connectTimeoutMs = 400 } }
    override func tearDown() async throws { await h.stop() }

    func testConnectReplyCarriesAFreshSidAndThePid() async throws {
        let (ws, open) = try await h.webSocket()
        try await ws.send(SocketIOPacket.connect(["token": "t"]))
        let reply = try await ws.nextText()
        let body = try JSONParser.parse(String(reply!.dropFirst(2)))
        XCTAssertTrue(reply!.hasPrefix("40{"))
        XCTAssertEqual(body["sid"], "socket-1")
        XCTAssertNotEqual(body["sid"], open["sid"], "the Socket.IO id is not the Engine.IO sid")
        XCTAssertEqual(body["pid"], "pid-1")
        let req = await h.domain.connects.next()
        XCTAssertEqual(req?.auth, ["token": "t"])
        XCTAssertEqual(req?.transport, .websocket)
    }

    func testConnectReplyHasNoPidWithoutRecovery() async throws {
        let (_, body) = try await h.joinedWebSocket(auth: ["nopid": true])
        XCTAssertEqual(Set(body.objectValue!.keys), ["sid"])
    }

    func testInvalidNamespaceGetsConnectErrorAndTheConnectionStaysOpen() async throws {
        let (ws, _) = try await h.webSocket()
        try await ws.sendText("40/admin,")
        let v1 = try await ws.nextText()
        XCTAssertEqual(v1, "44/admin,{\"message\":\"Invalid namespace\"}")
        // A namespace without a trailing comma is valid too.
        try await ws.sendText("40/custom")
        let v2 = try await ws.nextText()
        XCTAssertEqual(v2, "44/custom,{\"message\":\"Invalid namespace\"}")
        try await ws.send(SocketIOPacket.connect())
        let v3 = try await ws.nextText()?.hasPrefix("40{") ?? false
        XCTAssertTrue(v3)
    }

    func testRefusedConnectGetsConnectErrorAndTheSessionStaysOpen() async throws {
        let (ws, _) = try await h.webSocket()
        try await ws.send(SocketIOPacket.connect(["deny": "token_missing"]))
        let v4 = try await ws.nextText()
        XCTAssertEqual(v4, "44{\"message\":\"unauthorized\",\"data\":{\"code\":\"token_missing\"}}")
        try await ws.send(SocketIOPacket.connect(["token": "ok"]))
        let v5 = try await ws.nextText()?.hasPrefix("40{") ?? false
        XCTAssertTrue(v5)
    }

    func testFirstPacketMustBeConnect() async throws {
        let (ws, _) = try await h.webSocket()
        try await ws.assertClosed(after: "42[\"echo\"]")
    }

    func testSecondConnectForAJoinedNamespaceClosesTheConnection() async throws {
        let (ws, _) = try await h.joinedWebSocket()
        try await ws.send(SocketIOPacket.connect())
        let closed = await ws.waitClosed(timeout: 2)
        XCTAssertTrue(closed)
    }

    func testPacketForANamespaceNotJoinedClosesTheConnection() async throws {
        let (ws, _) = try await h.joinedWebSocket()
        try await ws.assertClosed(after: "42/other,[\"echo\"]")
    }

    func testMalformedPacketsCloseTheConnection() async throws {
        let bad = ["42{\"not\":\"an array\"}", "42[\"connect\"]", "42[]", "41{\"x\":1}", "43[1]", "40[1]", "42[\"a\"", "9"]
        for packet in bad {
            let (ws, _) = try await h.joinedWebSocket()
            try await ws.assertClosed(after: packet)
        }
    }

    func testNoNamespaceJoinedWithinTheConnectTimeoutClosesTheConnection() async throws {
        let (ws, _) = try await h.webSocket()
        let closed = await ws.waitClosed(timeout: 3)
        XCTAssertTrue(closed)
    }

    func testEventWithAckIdIsAnsweredThroughTheDomain() async throws {
        let (ws, _) = try await h.joinedWebSocket()
        try await ws.sendText("427[\"echo\",{\"a\":1},2]")
        let v6 = try await ws.nextText()
        XCTAssertEqual(v6, "437[{\"a\":1},2]")
        let e = await h.domain.events.next()
        XCTAssertEqual(e?.name, "echo")
        XCTAssertEqual(e?.ackID, 7)
        // Unknown ack ids from the client are ignored.
        try await ws.sendText("4399[]")
        try await ws.sendText("428[\"echo\"]")
        let v7 = try await ws.nextText()
        XCTAssertEqual(v7, "438[]")
    }

    func testBinaryEventWithAttachmentsAndAckIdGetsItsAck() async throws {
        let (ws, _) = try await h.joinedWebSocket()
        try await ws.sendText("451-3[\"echo\",{\"_placeholder\":true,\"num\":0}]")
        try await ws.sendBinary([1, 2, 3])
        let v8 = try await ws.nextText()
        XCTAssertEqual(v8, "433[\"AQID\"]")
        let e = await h.domain.events.next()
        XCTAssertEqual(e?.arguments, ["AQID"])
    }

    func testClientDisconnectEndsTheSocketButNotTheSession() async throws {
        let (ws, _) = try await h.joinedWebSocket()
        try await ws.sendText("41")
        let end = await h.domain.ended.next()
        XCTAssertEqual(end?.reason, .clientDisconnect)
        try await ws.send(SocketIOPacket.connect())
        let again = try await ws.nextText()
        XCTAssertTrue(again?.hasPrefix("40{\"sid\":\"socket-2\"") ?? false, again ?? "nil")
    }

    func testTransportLossIsRecoverable() async throws {
        let (ws, _) = try await h.joinedWebSocket()
        ws.close()
        let end = await h.domain.ended.next()
        XCTAssertEqual(end?.reason, .transportLost(recoverable: true))
    }

    /// Issue 9: as in the reference, a client's Engine.IO `1` over a
    /// WebSocket is ignored; the socket's close that follows is recoverable.
    func testEngineCloseOverWebSocketIsIgnoredAndTheCloseThatFollowsIsRecoverable() async throws {
        let (ws, _) = try await h.joinedWebSocket()
        try await ws.sendText("1")
        try await ws.sendText("42[\"still-here\"]")
        let echoed = await h.domain.events.next()
        XCTAssertEqual(echoed?.name, "still-here", "the session is still open after a 1 over WebSocket")
        ws.close()
        let end = await h.domain.ended.next()
        XCTAssertEqual(end?.reason, .transportLost(recoverable: true))
    }

    func testServerDisconnectSendsDisconnectThenClosesTheSession() async throws {
        let (ws, _) = try await h.joinedWebSocket()
        try await ws.sendText("42[\"kick\"]")
        let v9 = try await ws.nextText()
        XCTAssertEqual(v9, "41")
        let closed = await ws.waitClosed(timeout: 2)
        XCTAssertTrue(closed)
        let end = await h.domain.ended.next()
        XCTAssertEqual(end?.reason, .serverDisconnect(.rateLimitAbuse))
    }

    func testConnectOverPollingThenEventsAndAcks() async throws {
        let (sid, _) = try await h.pollingHandshake()
        _ = try await h.post(sid, "40{\"token\":\"x\"}")
        let v10 = try await h.poll(sid).text.hasPrefix("40{\"sid\":")
        XCTAssertTrue(v10)
        _ = try await h.post(sid, "425[\"echo\",\"p\"]")
        let v11 = try await h.poll(sid).text
        XCTAssertEqual(v11, "435[\"p\"]")
    }
}
