import StampedeAuth
import StampedeContract
import StampedeJSON
import Foundation
import Testing

@testable import StampedeServer

extension ServerSuites {
    /// PROTOCOL §2 (auth, per-user cap), §5.4 (recovery), §5.5 (stats truth), §6 (rate limits).
    @Suite(.serialized) final class ConnectionRulesTests {
        @Test func testRefusedConnectGetsUnauthorizedWithCodeAndIsCounted() async throws {
            let h = try DomainHarness()
            let output = RecordingOutput(eventLoop: h.group.next())
            let expired = try h.minter.mint(.expired, user: "alice")!
            let d = try await h.hub.connect(ConnectRequest(auth: ["token": .string(expired)], headers: [:], query: [:],
                                                           transport: .websocket, remoteAddress: nil), output: output).get()
            guard case .refuse(let payload) = d else { Issue.record("expired token accepted"); return }
            #expect(payload == AuthFailureCode.tokenExpired.connectErrorPayload)
            let none = try await h.hub.connect(ConnectRequest(auth: nil, headers: [:], query: [:], transport: .websocket, remoteAddress: nil),
                                               output: output).get()
            guard case .refuse(let p2) = none else { Issue.record("missing token accepted"); return }
            #expect(AuthFailureCode(connectErrorPayload: p2) == .tokenMissing)
            #expect(h.hub.statsSnapshot.authFailures == 2)
            #expect(h.hub.statsSnapshot.totalConnections == 0)
        }

        @Test func testPerUserSocketCap() async throws {
            let h = try DomainHarness { $0.maxConnectionsPerUser = 2 }
            _ = try await h.connect("alice")
            let (o2, s2, _) = try await h.connect("alice")
            let (_, refused, d) = try await h.connect("alice")
            #expect(refused == nil)
            guard case .refuse(let p) = d else { Issue.record("failed"); return }
            #expect(AuthFailureCode(connectErrorPayload: p) == .tooManyConnections)
            try await h.end(o2, s2!, .clientDisconnect)
            let (_, again, _) = try await h.connect("alice")
            #expect(again != nil, "a slot frees when a socket ends")
            #expect(h.hub.statsSnapshot.uniqueUsers == 1)
        }

        @Test func testStatsReturnToBaselineAfterDisconnects() async throws {
            let h = try DomainHarness()
            let id = await h.createExternal(owner: "alice")
            var sockets: [(RecordingOutput, BoundSocket)] = []
            for i in 0..<6 {
                let (o, s, _) = try await h.connect(i % 2 == 0 ? "alice" : "bob", loop: i, transport: i < 4 ? .websocket : .polling)
                if i % 2 == 0 { _ = try await h.request(o, s!, "subscribe", ["workflow_id": .string(id)]) }
                sockets.append((o, s!))
            }
            var s = h.hub.statsSnapshot
            let counts0 = [s.totalConnections, s.uniqueUsers, s.totalSubscriptions, s.activeWorkflows]
            #expect(counts0 == [6, 2, 3, 1])
            let counts1 = [s.transports.websocket, s.transports.polling]
            #expect(counts1 == [4, 2])
            try await h.end(sockets[0].0, sockets[0].1, .clientDisconnect)
            try await h.end(sockets[1].0, sockets[1].1, .transportLost(recoverable: true))
            try await h.end(sockets[2].0, sockets[2].1, .serverDisconnect(.slowConsumer))
            for (o, sock) in sockets.dropFirst(3) { try await h.end(o, sock, .transportLost(recoverable: false)) }
            s = h.hub.statsSnapshot
            let counts2 = [s.totalConnections, s.uniqueUsers, s.totalSubscriptions, s.activeWorkflows]
            #expect(counts2 == [0, 0, 0, 0])
            let counts3 = [s.transports.websocket, s.transports.polling]
            #expect(counts3 == [0, 0])
            #expect(s.slowConsumerDisconnects == 1)
        }

        @Test func testRateLimitRefusesPastBurstAndDisconnectsAbusersOnly() async throws {
            let h = try DomainHarness()
            let (noisy, ns, _) = try await h.connect("alice")
            let (quiet, qs, _) = try await h.connect("bob", loop: 1)
            var refused: [JSONValue] = []
            for _ in 0..<25 {
                let r = try await h.request(noisy, ns!, "frobnicate", [:])
                if r["error"]?["code"] == "rate_limited" { refused.append(r) }
            }
            #expect(refused.count >= 4)
            #expect(refused.count <= 5, "burst 20 plus at most a token of refill")
            #expect(refused[0]["error"]?["retry_after_ms"]?.intValue ?? 0 > 0)
            let quietReply = try await h.request(quiet, qs!, "frobnicate", [:])
            #expect(quietReply == Replies.unknownEvent, "other sockets are not slowed")
            for _ in 0..<60 { try await h.emitWithoutAck(noisy, ns!, "frobnicate", [:]) }
            #expect(noisy.disconnects == [.rateLimitAbuse])
            #expect(noisy.errorEvents.first?["code"] == "rate_limited")
            #expect(quiet.disconnects.isEmpty)
            #expect(h.hub.statsSnapshot.rateLimited >= 50)
        }

        @Test func testConnectionStateRecoveryRestoresRoomsAndReplaysMissedEvents() async throws {
            let h = try DomainHarness()
            let a = await h.createExternal(owner: "alice")
            let b = await h.createExternal(owner: "alice")
            let (out, socket, decision) = try await h.connect("alice")
            guard case .accept(_, let sid, let pid?) = decision else { Issue.record("no pid offered"); return }
            _ = try await h.request(out, socket!, "subscribe", ["workflow_id": .string(a)])
            _ = try await h.request(out, socket!, "subscribe", ["workflow_id": .string(b)])
            await h.publish(a, (1...2).map(DomainHarness.node))
            await h.publish(b, (1...2).map(DomainHarness.node))
            try await h.drain()
            let lastOffset = out.events[2].offset!  // the client saw a:1, a:2, b:1 — b:2 was lost in flight
            try await h.end(out, socket!, .transportLost(recoverable: true))
            await h.publish(a, [DomainHarness.node(3)])
            let (out2, _, d2) = try await h.connect("alice", auth: ["pid": .string(pid), "offset": .string(lastOffset)])
            guard case .accept(_, let sid2, let pid2) = d2 else { Issue.record("recovery refused"); return }
            #expect(sid2 == sid, "a recovered session keeps its sid")
            #expect(pid2 == pid, "and its pid, which is how clients know they recovered")
            #expect(out2.events.map { "\($0.arg["workflow_id"]!.stringValue! == a ? "a" : "b"):\($0.arg["seq"]!.intValue!)" } == ["b:2", "a:3"])
            await h.publish(b, [DomainHarness.node(3)])
            try await h.drain()
            #expect(out2.events.last?.arg["seq"] == 3, "rooms are restored for live events")
            #expect(h.hub.statsSnapshot.totalSubscriptions == 2)
        }

        @Test func testRecoveryIsRefusedAfterAClientDisconnect() async throws {
            let h = try DomainHarness()
            let (out, socket, decision) = try await h.connect("alice")
            guard case .accept(_, let sid, let pid?) = decision else { Issue.record("failed"); return }
            try await h.end(out, socket!, .clientDisconnect)
            let (_, _, d2) = try await h.connect("alice", auth: ["pid": .string(pid), "offset": "0"])
            guard case .accept(_, let sid2, let pid2) = d2 else { Issue.record("failed"); return }
            #expect(sid2 != sid)
            #expect(pid2 != pid, "a session that was not recovered gets a new pid")
        }
    }
}
