import StampedeContract
import StampedeJSON
import Foundation
import Testing

@testable import StampedeServer

extension ServerSuites {
    /// PROTOCOL §3 (requests) and §5.1–5.3 (ordering, isolation, terminal) at the domain seam.
    @Suite(.serialized) final class SubscriptionTests {
        @Test func testSubscribeAckShapeAndLiveDeliveryInOrder() async throws {
            let h = try DomainHarness()
            let id = await h.createExternal(owner: "alice")
            let (out, socket, _) = try await h.connect("alice")
            let ack = try await h.request(out, socket!, "subscribe", ["workflow_id": .string(id)])
            #expect(ack == Replies.subscribed(workflowID: id, latestSeq: 0, replayed: 0, truncated: false))
            await h.publish(id, (1...5).map(DomainHarness.node))
            try await h.drain()
            #expect(out.seqs == [1, 2, 3, 4, 5])
            #expect(out.events.first?.name == "node_update")
            #expect(out.events.first?.arg["workflow_id"]?.stringValue == id)
            #expect(out.events.first?.arg["ts"]?.doubleValue != nil)
            #expect(out.events.first?.offset != nil, "live events carry a recovery offset")
        }

        @Test func testOrderingHoldsUnderConcurrentPublishersAndSubscribersOnEveryLoop() async throws {
            let h = try DomainHarness()
            let id = await h.createExternal(owner: "alice")
            var outs: [RecordingOutput] = []
            for i in 0..<4 {
                let (out, socket, _) = try await h.connect("alice", loop: i)
                _ = try await h.request(out, socket!, "subscribe", ["workflow_id": .string(id)])
                outs.append(out)
            }
            await withTaskGroup(of: Void.self) { g in
                for p in 0..<4 {
                    g.addTask {
                        for b in 0..<25 { await h.publish(id, (0..<4).map { DomainHarness.node(p * 1000 + b * 10 + $0) }) }
                    }
                }
            }
            try await h.drain()
            for out in outs { #expect(out.seqs == Array(1...400)) }
            #expect(h.hub.statsSnapshot.eventsDelivered == 1600)
            #expect(h.hub.statsSnapshot.eventsPublished == 400)
        }

        @Test func testSinceReplaysRetainedEventsThenLiveWithoutGapOrDuplicate() async throws {
            let h = try DomainHarness()
            let id = await h.createExternal(owner: "alice")
            await h.publish(id, (1...5).map(DomainHarness.node))
            let (out, socket, _) = try await h.connect("alice")
            let ack = try await h.request(out, socket!, "subscribe", ["workflow_id": .string(id), "since": 2])
            #expect(ack == Replies.subscribed(workflowID: id, latestSeq: 5, replayed: 3, truncated: false))
            await h.publish(id, [DomainHarness.node(6)])
            try await h.drain()
            #expect(out.seqs == [3, 4, 5, 6])
            #expect(out.events.first?.offset == nil, "replayed events must not move the recovery offset")
        }

        @Test func testTruncatedWhenHistoryNoLongerReachesSince() async throws {
            let h = try DomainHarness { $0.historyLimit = 3 }
            let id = await h.createExternal(owner: "alice")
            await h.publish(id, (1...10).map(DomainHarness.node))
            let (out, socket, _) = try await h.connect("alice")
            let ack = try await h.request(out, socket!, "subscribe", ["workflow_id": .string(id), "since": 1])
            #expect(ack == Replies.subscribed(workflowID: id, latestSeq: 10, replayed: 3, truncated: true))
            #expect(out.seqs == [8, 9, 10])
        }

        @Test func testSubscribingTwiceNeverDuplicates() async throws {
            let h = try DomainHarness()
            let id = await h.createExternal(owner: "alice")
            await h.publish(id, (1...3).map(DomainHarness.node))
            let (out, socket, _) = try await h.connect("alice")
            _ = try await h.request(out, socket!, "subscribe", ["workflow_id": .string(id), "since": 0])
            let again = try await h.request(out, socket!, "subscribe", ["workflow_id": .string(id), "since": 0])
            #expect(again["replayed"] == 0)
            await h.publish(id, [DomainHarness.node(4)])
            try await h.drain()
            #expect(out.seqs == [1, 2, 3, 4])
            #expect(h.hub.statsSnapshot.totalSubscriptions == 1)
        }

        @Test func testRefusalsCarryTheirCodes() async throws {
            let h = try DomainHarness { $0.maxSubscriptionsPerSocket = 1 }
            let mine = await h.createExternal(owner: "alice")
            let theirs = await h.createExternal(owner: "bob")
            let (out, socket, _) = try await h.connect("alice")
            func code(_ v: JSONValue) -> String? { v["error"]?["code"]?.stringValue }
            let invalid = try await h.request(out, socket!, "subscribe", ["workflow_id": "bad id!"])
            let missing = try await h.request(out, socket!, "subscribe", ["workflow_id": "nope"])
            let forbidden = try await h.request(out, socket!, "subscribe", ["workflow_id": .string(theirs)])
            let ok = try await h.request(out, socket!, "subscribe", ["workflow_id": .string(mine)])
            let other = await h.createExternal(owner: "alice")
            let tooMany = try await h.request(out, socket!, "subscribe", ["workflow_id": .string(other)])
            let unknown = try await h.request(out, socket!, "frobnicate", [:])
            #expect(code(invalid) == "invalid_request")
            #expect(code(missing) == "not_found")
            #expect(code(forbidden) == "forbidden")
            #expect(ok["ok"] == true)
            #expect(code(tooMany) == "too_many_subscriptions")
            #expect(unknown == Replies.unknownEvent)
            try await h.emitWithoutAck(out, socket!, "subscribe", ["workflow_id": "bad id!"])
            #expect(out.errorEvents.last?["code"] == "invalid_request", "without an ack id a refusal is an error event")
        }

        @Test func testUnsubscribeStopsDeliveryAndAcksEvenWhenNotSubscribed() async throws {
            let h = try DomainHarness()
            let id = await h.createExternal(owner: "alice")
            let (out, socket, _) = try await h.connect("alice")
            let notSubscribed = try await h.request(out, socket!, "unsubscribe", ["workflow_id": .string(id)])
            #expect(notSubscribed == Replies.ok)
            _ = try await h.request(out, socket!, "subscribe", ["workflow_id": .string(id)])
            await h.publish(id, [DomainHarness.node(1)])
            try await h.drain()
            let unsubscribed = try await h.request(out, socket!, "unsubscribe", ["workflow_id": .string(id)])
            #expect(unsubscribed == Replies.ok)
            await h.publish(id, [DomainHarness.node(2)])
            try await h.drain()
            #expect(out.seqs == [1])
            #expect(h.hub.statsSnapshot.activeWorkflows == 0)
        }

        @Test func testIsolationBetweenWorkflowsAndUsers() async throws {
            let h = try DomainHarness()
            let a = await h.createExternal(owner: "alice")
            let b = await h.createExternal(owner: "bob")
            let (outA, sa, _) = try await h.connect("alice")
            let (outB, sb, _) = try await h.connect("bob", loop: 1)
            _ = try await h.request(outA, sa!, "subscribe", ["workflow_id": .string(a)])
            _ = try await h.request(outB, sb!, "subscribe", ["workflow_id": .string(b)])
            await h.publish(a, (1...3).map(DomainHarness.node))
            await h.publish(b, (1...2).map(DomainHarness.node))
            try await h.drain()
            #expect(Set(outA.events.map { $0.arg["workflow_id"]!.stringValue! }) == [a])
            #expect(Set(outB.events.map { $0.arg["workflow_id"]!.stringValue! }) == [b])
        }

        @Test func testTerminalStatusClosesTheStream() async throws {
            let h = try DomainHarness()
            let id = await h.createExternal(owner: "alice")
            let (status, _) = await h.publish(id, [["type": "workflow_status", "status": "running"], ["type": "workflow_status", "status": "completed"]])
            #expect(status == 201)
            let (after, body) = await h.publish(id, [DomainHarness.node(3)])
            #expect(after == 409)
            #expect(body["error"]?["code"] == "workflow_terminal")
            let (midBatch, _) = await h.publish(await h.createExternal(owner: "alice"),
                                                [["type": "workflow_status", "status": "failed"], DomainHarness.node(1)])
            #expect(midBatch == 409, "a batch may not continue past a terminal status")
        }
    }
}
