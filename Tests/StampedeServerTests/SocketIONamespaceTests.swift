import SocketIOWire
import StampedeJSON
import Foundation
import StampedeTestSupport
import Testing

extension ServerSuites {
    /// SOCKETIO.md, Socket.IO v5 inside Engine.IO: connect, namespaces,
    /// validation, acks, binary events, disconnect.
    @Suite(.serialized) final class SocketIONamespaceTests {
        var h: TransportHarness!

        init() async throws { h = try await TransportHarness.start { $0.connectTimeoutMs = 400 } }
        /// Swift Testing makes one suite instance per test and releases it when the test
        /// ends; the async stop that XCTest's tearDown awaited runs behind it.
        deinit { Task { [h] in await h?.stop() } }

        @Test func testConnectReplyCarriesAFreshSidAndThePid() async throws {
            let (ws, open) = try await h.webSocket()
            try await ws.send(SocketIOPacket.connect(["token": "t"]))
            let reply = try await ws.nextText()
            let body = try JSONParser.parse(String(reply!.dropFirst(2)))
            #expect(reply!.hasPrefix("40{"))
            #expect(body["sid"] == "socket-1")
            #expect(body["sid"] != open["sid"], "the Socket.IO id is not the Engine.IO sid")
            #expect(body["pid"] == "pid-1")
            let req = await h.domain.connects.next()
            #expect(req?.auth == ["token": "t"])
            #expect(req?.transport == .websocket)
        }

        @Test func testConnectReplyHasNoPidWithoutRecovery() async throws {
            let (_, body) = try await h.joinedWebSocket(auth: ["nopid": true])
            #expect(Set(body.objectValue!.keys) == ["sid"])
        }

        @Test func testInvalidNamespaceGetsConnectErrorAndTheConnectionStaysOpen() async throws {
            let (ws, _) = try await h.webSocket()
            try await ws.sendText("40/admin,")
            let v1 = try await ws.nextText()
            #expect(v1 == "44/admin,{\"message\":\"Invalid namespace\"}")
            // A namespace without a trailing comma is valid too.
            try await ws.sendText("40/custom")
            let v2 = try await ws.nextText()
            #expect(v2 == "44/custom,{\"message\":\"Invalid namespace\"}")
            try await ws.send(SocketIOPacket.connect())
            let v3 = try await ws.nextText()?.hasPrefix("40{") ?? false
            #expect(v3)
        }

        @Test func testRefusedConnectGetsConnectErrorAndTheSessionStaysOpen() async throws {
            let (ws, _) = try await h.webSocket()
            try await ws.send(SocketIOPacket.connect(["deny": "token_missing"]))
            let v4 = try await ws.nextText()
            #expect(v4 == "44{\"message\":\"unauthorized\",\"data\":{\"code\":\"token_missing\"}}")
            try await ws.send(SocketIOPacket.connect(["token": "ok"]))
            let v5 = try await ws.nextText()?.hasPrefix("40{") ?? false
            #expect(v5)
        }

        @Test func testFirstPacketMustBeConnect() async throws {
            let (ws, _) = try await h.webSocket()
            try await ws.assertClosed(after: "42[\"echo\"]")
        }

        @Test func testSecondConnectForAJoinedNamespaceClosesTheConnection() async throws {
            let (ws, _) = try await h.joinedWebSocket()
            try await ws.send(SocketIOPacket.connect())
            let closed = await ws.waitClosed(timeout: 2)
            #expect(closed)
        }

        @Test func testPacketForANamespaceNotJoinedClosesTheConnection() async throws {
            let (ws, _) = try await h.joinedWebSocket()
            try await ws.assertClosed(after: "42/other,[\"echo\"]")
        }

        @Test func testMalformedPacketsCloseTheConnection() async throws {
            let bad = ["42{\"not\":\"an array\"}", "42[\"connect\"]", "42[]", "41{\"x\":1}", "43[1]", "40[1]", "42[\"a\"", "9"]
            for packet in bad {
                let (ws, _) = try await h.joinedWebSocket()
                try await ws.assertClosed(after: packet)
            }
        }

        @Test func testNoNamespaceJoinedWithinTheConnectTimeoutClosesTheConnection() async throws {
            let (ws, _) = try await h.webSocket()
            let closed = await ws.waitClosed(timeout: 3)
            #expect(closed)
        }

        @Test func testEventWithAckIdIsAnsweredThroughTheDomain() async throws {
            let (ws, _) = try await h.joinedWebSocket()
            try await ws.sendText("427[\"echo\",{\"a\":1},2]")
            let v6 = try await ws.nextText()
            #expect(v6 == "437[{\"a\":1},2]")
            let e = await h.domain.events.next()
            #expect(e?.name == "echo")
            #expect(e?.ackID == 7)
            // Unknown ack ids from the client are ignored.
            try await ws.sendText("4399[]")
            try await ws.sendText("428[\"echo\"]")
            let v7 = try await ws.nextText()
            #expect(v7 == "438[]")
        }

        @Test func testBinaryEventWithAttachmentsAndAckIdGetsItsAck() async throws {
            let (ws, _) = try await h.joinedWebSocket()
            try await ws.sendText("451-3[\"echo\",{\"_placeholder\":true,\"num\":0}]")
            try await ws.sendBinary([1, 2, 3])
            let v8 = try await ws.nextText()
            #expect(v8 == "433[\"AQID\"]")
            let e = await h.domain.events.next()
            #expect(e?.arguments == ["AQID"])
        }

        @Test func testClientDisconnectEndsTheSocketButNotTheSession() async throws {
            let (ws, _) = try await h.joinedWebSocket()
            try await ws.sendText("41")
            let end = await h.domain.ended.next()
            #expect(end?.reason == .clientDisconnect)
            try await ws.send(SocketIOPacket.connect())
            let again = try await ws.nextText()
            #expect(again?.hasPrefix("40{\"sid\":\"socket-2\"") ?? false, "\(again ?? "nil")")
        }

        @Test func testTransportLossIsRecoverable() async throws {
            let (ws, _) = try await h.joinedWebSocket()
            ws.close()
            let end = await h.domain.ended.next()
            #expect(end?.reason == .transportLost(recoverable: true))
        }

        /// Issue 9: as in the reference, a client's Engine.IO `1` over a
        /// WebSocket is ignored; the socket's close that follows is recoverable.
        @Test func testEngineCloseOverWebSocketIsIgnoredAndTheCloseThatFollowsIsRecoverable() async throws {
            let (ws, _) = try await h.joinedWebSocket()
            try await ws.sendText("1")
            try await ws.sendText("42[\"still-here\"]")
            let echoed = await h.domain.events.next()
            #expect(echoed?.name == "still-here", "the session is still open after a 1 over WebSocket")
            ws.close()
            let end = await h.domain.ended.next()
            #expect(end?.reason == .transportLost(recoverable: true))
        }

        @Test func testServerDisconnectSendsDisconnectThenClosesTheSession() async throws {
            let (ws, _) = try await h.joinedWebSocket()
            try await ws.sendText("42[\"kick\"]")
            let v9 = try await ws.nextText()
            #expect(v9 == "41")
            let closed = await ws.waitClosed(timeout: 2)
            #expect(closed)
            let end = await h.domain.ended.next()
            #expect(end?.reason == .serverDisconnect(.rateLimitAbuse))
        }

        @Test func testConnectOverPollingThenEventsAndAcks() async throws {
            let (sid, _) = try await h.pollingHandshake()
            _ = try await h.post(sid, "40{\"token\":\"x\"}")
            let v10 = try await h.poll(sid).text.hasPrefix("40{\"sid\":")
            #expect(v10)
            _ = try await h.post(sid, "425[\"echo\",\"p\"]")
            let v11 = try await h.poll(sid).text
            #expect(v11 == "435[\"p\"]")
        }
    }
}
