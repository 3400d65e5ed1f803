import StampedeClient
import StampedeContract
import StampedeJSON
import StampedeTestSupport
import Testing

/// The client core against the real server over loopback WebSockets.
@Suite(.timeLimit(.minutes(1))) struct WebSocketClientTests {
    @Test(arguments: ClientLoop.allCases) func connectsAuthenticatesAndClosesCleanly(loop: ClientLoop) async throws {
        let t = try await TestServer.start()
        let d = RecordingDelegate()
        let c = ClientConnection.connect(t.options(token: try t.token("alice")), on: loop.next, delegate: d)
        #expect(await d.waitConnected())
        guard case .open(let hs)? = d.calls.first else {
            Issue.record("first call must be the Engine.IO open, got \(d.calls)")
            return
        }
        #expect(hs.upgrades.isEmpty)
        #expect(try await c.eventLoop.submit { c.currentTransport }.get() == .websocket)
        c.close(.clean)
        #expect(await d.waitClosed())
        #expect(d.closeReason == .closedByClient)
        try await t.stop()
    }

    @Test(arguments: ClientLoop.allCases) func aBadTokenIsRefusedWithItsCode(loop: ClientLoop) async throws {
        let t = try await TestServer.start()
        let d = RecordingDelegate()
        _ = ClientConnection.connect(t.options(token: "not-a-jwt"), on: loop.next, delegate: d)
        #expect(await d.waitClosed())
        let err = d.calls.compactMap { if case .connectError(let e) = $0 { return e } else { return nil } }.first
        #expect(err.flatMap(AuthFailureCode.init(connectErrorPayload:)) == .tokenMalformed)
        #expect(d.closeReason == .connectRefused)
        #expect(d.connectedSID == nil)
        try await t.stop()
    }

    @Test(arguments: ClientLoop.allCases) func subscribedEventsArriveInOrderWithTheirFieldsScanned(loop: ClientLoop) async throws {
        let t = try await TestServer.start()
        let wf = try await t.createExternalWorkflow(for: "bob")
        let d = RecordingDelegate()
        let c = ClientConnection.connect(t.options(token: try t.token("bob")), on: loop.next, delegate: d)
        #expect(await d.waitConnected())
        let ack = try await c.request("subscribe", [["workflow_id": .string(wf)]])
        #expect(ack.first?["ok"] == true)
        let events: [JSONValue] = (1...20).map { ["type": "node_update", "node": .string("n\($0)"), "status": "executing"] }
        try await t.publish(wf, events)
        #expect(await d.wait { _ in d.events.count >= 20 })
        let got = d.events
        #expect(got.map(\.seq) == (1...20).map { Int64($0) })
        #expect(got.allSatisfy { $0.workflowID == wf && $0.name == "node_update" && ($0.ts ?? 0) > 1_600_000_000_000 })
        #expect(got.last?.workflowEvent?.body.fields["node"] == "n20")
        c.close(.clean)
        try await t.stop()
    }

    @Test(arguments: ClientLoop.allCases) func anAbruptCloseIsSeenByTheServer(loop: ClientLoop) async throws {
        let t = try await TestServer.start()
        let d = RecordingDelegate()
        let c = ClientConnection.connect(t.options(token: try t.token("carol")), on: loop.next, delegate: d)
        #expect(await d.waitConnected())
        #expect(await waitUntil { t.server.sessionCount == 1 })
        c.close(.abrupt)
        #expect(await waitUntil { t.server.sessionCount == 0 })
        #expect(d.closeReason == .closedByClient)
        try await t.stop()
    }

    @Test(arguments: ClientLoop.allCases) func aSilentClientIsDroppedByTheServerHeartbeat(loop: ClientLoop) async throws {
        let t = try await TestServer.start { $0.pingIntervalMs = 200; $0.pingTimeoutMs = 200 }
        let d = RecordingDelegate()
        let c = ClientConnection.connect(t.options(token: try t.token("dave")), on: loop.next, delegate: d)
        #expect(await d.waitConnected())
        // Answered pings keep the session alive past several cycles.
        #expect(await d.wait(seconds: 3) { calls in calls.filter { $0 == .ping }.count >= 3 })
        #expect(d.closeReason == nil)
        c.close(.silent)
        #expect(await d.waitClosed(seconds: 3))
        #expect(d.closeReason == .closedByServer || d.closeReason == .transportClosed)
        try await t.stop()
    }

    @Test(arguments: ClientLoop.allCases) func acksFailWhenTheConnectionIsGone(loop: ClientLoop) async throws {
        let t = try await TestServer.start()
        let d = RecordingDelegate()
        let c = ClientConnection.connect(t.options(token: try t.token("erin")), on: loop.next, delegate: d)
        #expect(await d.waitConnected())
        c.close(.abrupt)
        #expect(await d.waitClosed())
        await #expect(throws: ClientError.self) { try await c.request("subscribe", [["workflow_id": "x"]]) }
        try await t.stop()
    }
}
