import StampedeAuth
import StampedeContract
import StampedeJSON
import XCTest

@testable import StampedeServer

/// PROTOCOL §2 (auth, per-user cap), §5.4 (recovery), §5.5 (stats truth), §6 (rate limits).
final class ConnectionRulesTests: XCTestCase {
    func testRefusedConnectGetsUnauthorizedWithCodeAndIsCounted() async throws {
        let h = try DomainHarness()
        let output = RecordingOutput(eventLoop: h.group.next())
        let expired = try h.minter.mint(.expired, user: "alice")!
        let d = try await h.hub.connect(ConnectRequest(auth: ["token": .string(expired)], headers: [:], query: [:],
                                                       transport: .websocket, remoteAddress: nil), output: output).get()
        guard case .refuse(let payload) = d else { return XCTFail("expired token accepted") }
        XCTAssertEqual(payload, AuthFailureCode.tokenExpired.connectErrorPayload)
        let none = try await h.hub.connect(ConnectRequest(auth: nil, headers: [:], query: [:], transport: .websocket, remoteAddress: nil),
                                           output: output).get()
        guard case .refuse(let p2) = none else { return XCTFail("missing token accepted") }
        XCTAssertEqual(AuthFailureCode(connectErrorPayload: p2), .tokenMissing)
        XCTAssertEqual(h.hub.statsSnapshot.authFailures, 2)
        XCTAssertEqual(h.hub.statsSnapshot.totalConnections, 0)
    }

    func testPerUserSocketCap() async throws {
        let h = try DomainHarness { $0.maxConnectionsPerUser = 2 }
        _ = try await h.connect("alice")
        let (o2, s2, _) = try await h.connect("alice")
        let (_, refused, d) = try await h.connect("alice")
        XCTAssertNil(refused)
        guard case .refuse(let p) = d else { return XCTFail() }
        XCTAssertEqual(AuthFailureCode(connectErrorPayload: p), .tooManyConnections)
        try await h.end(o2, s2!, .clientDisconnect)
        let (_, again, _) = try await h.connect("alice")
        XCTAssertNotNil(again, "a slot frees when a socket ends")
        XCTAssertEqual(h.hub.statsSnapshot.uniqueUsers, 1)
    }

    func testStatsReturnToBaselineAfterDisconnects() async throws {
        let h = try DomainHarness()
        let id = await h.createExternal(owner: "alice")
        var sockets: [(RecordingOutput, DomainSocket)] = []
        for i in 0..<6 {
            let (o, s, _) = try await h.connect(i % 2 == 0 ? "alice" : "bob", loop: i, transport: i < 4 ? .websocket : .polling)
            if i % 2 == 0 { _ = try await h.request(o, s!, "subscribe", ["workflow_id": .string(id)]) }
            sockets.append((o, s!))
        }
        var s = h.hub.statsSnapshot
        XCTAssertEqual([s.totalConnections, s.uniqueUsers, s.totalSubscriptions, s.activeWorkflows], [6, 2, 3, 1])
        XCTAssertEqual([s.transports.websocket, s.transports.polling], [4, 2])
        try await h.end(sockets[0].0, sockets[0].1, .clientDisconnect)
        try await h.end(sockets[1].0, sockets[1].1, .transportLost(recoverable: true))
        try await h.end(sockets[2].0, sockets[2].1, .serverDisconnect(.slowConsumer))
        for (o, sock) in sockets.dropFirst(3) { try await h.end(o, sock, .transportLost(recoverable: false)) }
        s = h.hub.statsSnapshot
        XCTAssertEqual([s.totalConnections, s.uniqueUsers, s.totalSubscriptions, s.activeWorkflows], [0, 0, 0, 0])
        XCTAssertEqual([s.transports.websocket, s.transports.polling], [0, 0])
        XCTAssertEqual(s.slowConsumerDisconnects, 1)
    }

    func testRateLimitRefusesPastBurstAndDisconnectsAbusersOnly() async throws {
        let h = try DomainHarness()
        let (noisy, ns, _) = try await h.connect("alice")
        let (quiet, qs, _) = try await h.connect("bob", loop: 1)
        var refused: [JSONValue] = []
        for _ in 0..<25 {
            let r = try await h.request(noisy, ns!, "frobnicate", [:])
            if r["error"]?["code"] == "rate_limited" { refused.append(r) }
        }
        XCTAssertGreaterThanOrEqual(refused.count, 4)
        XCTAssertLessThanOrEqual(refused.count, 5, "burst 20 plus at most a token of refill")
        XCTAssertGreaterThan(refused[0]["error"]?["retry_after_ms"]?.intValue ?? 0, 0)
        let quietReply = try await h.request(quiet, qs!, "frobnicate", [:])
        XCTAssertEqual(quietReply, Replies.unknownEvent, "other sockets are not slowed")
        for _ in 0..<60 { try await h.emitWithoutAck(noisy, ns!, "frobnicate", [:]) }
        XCTAssertEqual(noisy.disconnects, [.rateLimitAbuse])
        XCTAssertEqual(noisy.errorEvents.first?["code"], "rate_limited")
        XCTAssertTrue(quiet.disconnects.isEmpty)
        XCTAssertGreaterThanOrEqual(h.hub.statsSnapshot.rateLimited, 50)
    }

    func testConnectionStateRecoveryRestoresRoomsAndReplaysMissedEvents() async throws {
        let h = try DomainHarness()
        let a = await h.createExternal(owner: "alice")
        let b = await h.createExternal(owner: "alice")
        let (out, socket, decision) = try await h.connect("alice")
        guard case .accept(_, let sid, let pid?) = decision else { return XCTFail("no pid offered") }
        _ = try await h.request(out, socket!, "subscribe", ["workflow_id": .string(a)])
        _ = try await h.request(out, socket!, "subscribe", ["workflow_id": .string(b)])
        await h.publish(a, (1...2).map(DomainHarness.node))
        await h.publish(b, (1...2).map(DomainHarness.node))
        try await h.drain()
        let lastOffset = out.events[2].offset!  // the client saw a:1, a:2, b:1 — b:2 was lost in flight
        try await h.end(out, socket!, .transportLost(recoverable: true))
        await h.publish(a, [DomainHarness.node(3)])
        let (out2, _, d2) = try await h.connect("alice", auth: ["pid": .string(pid), "offset": .string(lastOffset)])
        guard case .accept(_, let sid2, let pid2) = d2 else { return XCTFail("recovery refused") }
        XCTAssertEqual(sid2, sid, "a recovered session keeps its sid")
        XCTAssertEqual(pid2, pid, "and its pid, which is how clients know they recovered")
        XCTAssertEqual(out2.events.map { "\($0.arg["workflow_id"]!.stringValue! == a ? "a" : "b"):\($0.arg["seq"]!.intValue!)" },
                       ["b:2", "a:3"])
        await h.publish(b, [DomainHarness.node(3)])
        try await h.drain()
        XCTAssertEqual(out2.events.last?.arg["seq"], 3, "rooms are restored for live events")
        XCTAssertEqual(h.hub.statsSnapshot.totalSubscriptions, 2)
    }

    func testRecoveryIsRefusedAfterAClientDisconnect() async throws {
        let h = try DomainHarness()
        let (out, socket, decision) = try await h.connect("alice")
        guard case .accept(_, let sid, let pid?) = decision else { return XCTFail() }
        try await h.end(out, socket!, .clientDisconnect)
        let (_, _, d2) = try await h.connect("alice", auth: ["pid": .string(pid), "offset": "0"])
        guard case .accept(_, let sid2, let pid2) = d2 else { return XCTFail() }
        XCTAssertNotEqual(sid2, sid)
        XCTAssertNotEqual(pid2, pid, "a session that was not recovered gets a new pid")
    }
}
