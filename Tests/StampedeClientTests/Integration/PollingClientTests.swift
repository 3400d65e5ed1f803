import StampedeClient
import StampedeJSON
import StampedeTestSupport
import Testing

/// Long-polling and the polling → WebSocket upgrade against the real server.
@Suite(.timeLimit(.minutes(1))) struct PollingClientTests {
    @Test func pollingConnectsSubscribesAndReceives() async throws {
        let t = try await TestServer.start()
        let wf = try await t.createExternalWorkflow(for: "pat")
        let d = RecordingDelegate()
        let c = ClientConnection.connect(t.options(.polling, token: try t.token("pat")), on: TestServer.clientGroup.next(), delegate: d)
        #expect(await d.waitConnected())
        guard case .open(let hs)? = d.calls.first else {
            Issue.record("no open packet first: \(d.calls)")
            return
        }
        #expect(hs.upgrades == ["websocket"])
        let ack = try await c.request("subscribe", [["workflow_id": .string(wf)]])
        #expect(ack.first?["ok"] == true)
        try await t.publish(wf, (1...10).map { ["type": "tool_update", "tool": .string("t\($0)"), "status": "completed"] })
        #expect(await d.wait { _ in d.events.count >= 10 })
        #expect(d.events.map(\.seq) == (1...10).map { Int64($0) })
        #expect(try await c.eventLoop.submit { c.currentTransport }.get() == .polling)
        c.close(.clean)
        #expect(await d.waitClosed())
        #expect(await waitUntil { t.server.sessionCount == 0 })
        try await t.stop()
    }

    @Test func pollingAnswersPingsAcrossSeveralCycles() async throws {
        let t = try await TestServer.start { $0.pingIntervalMs = 150; $0.pingTimeoutMs = 300 }
        let d = RecordingDelegate()
        let c = ClientConnection.connect(t.options(.polling, token: try t.token("pia")), on: TestServer.clientGroup.next(), delegate: d)
        #expect(await d.waitConnected())
        #expect(await d.wait(seconds: 3) { calls in calls.filter { $0 == .ping }.count >= 4 })
        #expect(d.closeReason == nil)
        c.close(.clean)
        try await t.stop()
    }

    @Test func upgradeMovesTheSessionToWebSocketWithoutLosingEvents() async throws {
        let t = try await TestServer.start()
        let wf = try await t.createExternalWorkflow(for: "uma")
        let d = RecordingDelegate()
        let c = ClientConnection.connect(t.options(.upgrade, token: try t.token("uma")), on: TestServer.clientGroup.next(), delegate: d)
        #expect(await d.waitConnected())
        let ack = try await c.request("subscribe", [["workflow_id": .string(wf)]])
        #expect(ack.first?["ok"] == true)
        try await t.publish(wf, (1...5).map { ["type": "node_update", "node": .string("a\($0)"), "status": "executing"] })
        #expect(await waitUntil { (try? c.eventLoop.submit { c.currentTransport }.wait()) == .websocket })
        try await t.publish(wf, (6...12).map { ["type": "node_update", "node": .string("b\($0)"), "status": "executing"] })
        #expect(await d.wait { _ in d.events.count >= 12 })
        #expect(d.events.map(\.seq) == (1...12).map { Int64($0) })
        c.close(.clean)
        #expect(await waitUntil { t.server.sessionCount == 0 })
        try await t.stop()
    }

    @Test func afterTheUpgradePingsAreAnsweredOverTheWebSocket() async throws {
        let t = try await TestServer.start { $0.pingIntervalMs = 150; $0.pingTimeoutMs = 300 }
        let d = RecordingDelegate()
        let c = ClientConnection.connect(t.options(.upgrade, token: try t.token("uhb")), on: TestServer.clientGroup.next(), delegate: d)
        #expect(await d.waitConnected())
        #expect(await waitUntil { (try? c.eventLoop.submit { c.currentTransport }.wait()) == .websocket })
        let pingsAtUpgrade = d.calls.filter { $0 == .ping }.count
        #expect(await d.wait(seconds: 3) { calls in calls.filter { $0 == .ping }.count >= pingsAtUpgrade + 4 })
        #expect(d.closeReason == nil)
        #expect(t.server.sessionCount == 1)
        c.close(.clean)
        try await t.stop()
    }
}
