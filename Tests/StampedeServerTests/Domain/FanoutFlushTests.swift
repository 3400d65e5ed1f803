import Dispatch
import StampedeJSON
import Foundation
import Testing

@testable import StampedeServer

/// Events that meet a socket in one loop turn share its flush: while more
/// deliveries wait on the loop, the fan-out writes each publish's frames and
/// flushes every written socket once when the turn's queued tasks have run —
/// across publishes, not only within one batch. A delivery nothing waits
/// behind flushes each socket as it writes it.
@Suite(.serialized) final class FanoutFlushTests {
    @Test func testPublishesQueuedInOneLoopTurnShareOneFlushPerSocket() async throws {
        let h = try DomainHarness()
        let id = await h.createExternal(owner: "alice")
        let (out, socket, _) = try await h.connect("alice", loop: 0)
        let (other, otherSocket, _) = try await h.connect("alice", loop: 0)
        _ = try await h.request(out, socket!, "subscribe", ["workflow_id": .string(id)])
        _ = try await h.request(other, otherSocket!, "subscribe", ["workflow_id": .string(id)])
        // Hold the sockets' loop so both publishes' batches queue in one turn.
        let gate = DispatchSemaphore(value: 0)
        let loop = out.eventLoop
        loop.execute { gate.wait() }
        await h.publish(id, [DomainHarness.node(1)])
        await h.publish(id, [DomainHarness.node(2), DomainHarness.node(3)])
        gate.signal()
        try await h.drain()
        #expect(out.seqs == [1, 2, 3])
        #expect(other.seqs == [1, 2, 3])
        #expect(out.flushes == 1, "two publishes in one turn: one flush")
        #expect(other.flushes == 1)
        #expect(h.hub.statsSnapshot.eventsDelivered == 6)
    }

    /// Nothing else waits on the loop: the socket is flushed inside the delivery itself (one
    /// pass over the sockets, while each is still in cache), not by a task at the turn's end.
    /// The probe queued right behind the delivery sees the flush already done.
    @Test func testALonePublishIsFlushedInItsOwnDeliveryNotAtTheTurnsEnd() async throws {
        let h = try DomainHarness()
        let id = await h.createExternal(owner: "alice")
        let (out, socket, _) = try await h.connect("alice", loop: 0)
        _ = try await h.request(out, socket!, "subscribe", ["workflow_id": .string(id)])
        let gate = DispatchSemaphore(value: 0)
        let loop = out.eventLoop
        loop.execute { gate.wait() }
        await h.publish(id, [DomainHarness.node(1)])   // its delivery queues behind the gate
        let probe = loop.submit { out.flushes }         // queued right after that delivery
        gate.signal()
        #expect(try await probe.get() == 1, "flushed by the delivery, before any later task")
        try await h.drain()
        #expect(out.seqs == [1])
        #expect(out.flushes == 1)
    }

    /// Batches of different workflows queued together cannot meet the same socket when each
    /// socket watches one of them: each is flushed in its own delivery, not held for a second
    /// pass at the turn's end. A socket watching both still shares one flush for the two.
    @Test func testOnlyASocketThatAQueuedBatchCanReachWaitsForTheTurnsEnd() async throws {
        let h = try DomainHarness()
        let x = await h.createExternal(owner: "alice")
        let y = await h.createExternal(owner: "alice")
        let (onX, socketX, _) = try await h.connect("alice", loop: 0)
        let (onY, socketY, _) = try await h.connect("alice", loop: 0)
        let (onBoth, socketBoth, _) = try await h.connect("alice", loop: 0)
        _ = try await h.request(onX, socketX!, "subscribe", ["workflow_id": .string(x)])
        _ = try await h.request(onY, socketY!, "subscribe", ["workflow_id": .string(y)])
        _ = try await h.request(onBoth, socketBoth!, "subscribe", ["workflow_id": .string(x)])
        _ = try await h.request(onBoth, socketBoth!, "subscribe", ["workflow_id": .string(y)])
        let gate = DispatchSemaphore(value: 0)
        let loop = onX.eventLoop
        loop.execute { gate.wait() }
        await h.publish(x, [DomainHarness.node(1)])   // queued behind the gate, y's batch behind it
        await h.publish(y, [DomainHarness.node(1)])
        let probe = loop.submit { (onX.flushes, onY.flushes, onBoth.flushes) }  // right after both
        gate.signal()
        let (xFlushes, yFlushes, bothFlushes) = try await probe.get()
        #expect(xFlushes == 1, "x's socket: no batch behind x's could reach it")
        #expect(yFlushes == 1)
        #expect(bothFlushes == 0, "the socket on both waits for the turn's end")
        try await h.drain()
        #expect(onBoth.seqs == [1, 1])
        #expect(onBoth.flushes == 1, "two publishes in one turn: one flush")
    }

    @Test func testAPublishInALaterTurnFlushesAgain() async throws {
        let h = try DomainHarness()
        let id = await h.createExternal(owner: "alice")
        let (out, socket, _) = try await h.connect("alice")
        _ = try await h.request(out, socket!, "subscribe", ["workflow_id": .string(id)])
        await h.publish(id, [DomainHarness.node(1)])
        try await h.drain()
        await h.publish(id, [DomainHarness.node(2)])
        try await h.drain()
        #expect(out.seqs == [1, 2])
        #expect(out.flushes == 2)
    }
}
