import Atomics
import NIOCore

/// The subscribers of every workflow that live on one event loop. Touched
/// only on that loop, so it needs no lock; the registry hands it one batch
/// per (publish, loop) — never one hop per subscriber. Not `Sendable`: the
/// only way to it from another thread is the `NIOLoopBoundBox` that
/// `FanoutDirectory` holds, which checks the loop on every access.
final class LoopFanout {
    let loop: EventLoop
    private let stats: ServerStats
    // `@exclusivity(unchecked)`: loop-confined per-delivery state (docs/ARCHITECTURE.md, "Threads and confinement").
    @exclusivity(unchecked) private var subscribers: [String: [ObjectIdentifier: SocketSession]] = [:]

    /// Delivery tasks handed to this loop and not run yet (incremented by the hand-off,
    /// under the registry's lock; decremented here as each one starts).
    let queued = ManagedAtomic(0)

    init(loop: EventLoop, stats: ServerStats) {
        self.loop = loop
        self.stats = stats
    }

    func add(_ socket: SocketSession, to workflowID: String) {
        loop.preconditionInEventLoop()
        subscribers[workflowID, default: [:]][ObjectIdentifier(socket)] = socket
    }

    func remove(_ socket: SocketSession, from workflowID: String) {
        loop.preconditionInEventLoop()
        subscribers[workflowID]?[ObjectIdentifier(socket)] = nil
        if subscribers[workflowID]?.isEmpty == true { subscribers[workflowID] = nil }
    }

    /// Sockets written this loop turn and not flushed yet.
    @exclusivity(unchecked) private var unflushed: [SocketSession] = []
    @exclusivity(unchecked) private var flushScheduled = false

    /// Writes the batch's pre-encoded frames to every subscriber.
    /// While another batch of the same workflow waits behind this one on the loop, each written
    /// socket is flushed once when the loop turn's queued tasks have run (`flushWritten`), so
    /// every publish that reached these sockets in the same turn shares that one flush (one
    /// `writev` per socket, not one per publish); a socket that watches several workflows
    /// waits for it whenever any delivery is queued. Otherwise — a paced publisher, or many
    /// workflows each publishing once, the usual case — nothing could share the flush, so each
    /// socket is flushed right after its write: one pass over the sockets instead of two,
    /// while each one's objects are still in cache (the second pass over 5,000 sockets found
    /// them evicted). One latency observation for the whole batch (accepted → last socket
    /// written): a clock read and a few atomic adds, no allocation per delivery.
    func deliver(_ batch: [StoredEvent], workflowID: String, acceptedAt: NIODeadline, workflowQueued: ManagedAtomic<Int>) {
        let othersWaiting = queued.loadThenWrappingDecrement(ordering: .relaxed) > 1
        let sameWorkflowWaiting = workflowQueued.loadThenWrappingDecrement(ordering: .relaxed) > 1
        guard let sockets = subscribers[workflowID] else { return }
        var delivered = 0
        for socket in sockets.values {
            // A socket already in the list (an earlier batch's write) waits for the turn's end.
            let deferred = socket.flushPending || sameWorkflowWaiting || (othersWaiting && socket.positions.count > 1)
            let n = socket.deliver(batch, workflowID: workflowID, flush: !deferred)
            guard n > 0 else { continue }
            delivered += n
            if deferred, !socket.flushPending {
                socket.flushPending = true
                unflushed.append(socket)
            }
        }
        if delivered > 0 {
            stats.add(stats.eventsDelivered, delivered)
            stats.eventDelivery.observe(since: acceptedAt)
        }
        if !unflushed.isEmpty, !flushScheduled {
            flushScheduled = true
            // A task queued now runs after the tasks already queued for this
            // loop (other publishes' batches) and before it waits for I/O again.
            loop.assumeIsolated().execute { self.flushWritten() }
        }
    }

    /// One flush per socket written since the last one.
    func flushWritten() {
        flushScheduled = false
        // A flush never delivers on this loop synchronously (batches arrive
        // as tasks), so the list is walked in place and kept for the next turn.
        for socket in unflushed {
            socket.flushPending = false
            socket.output.flush()
        }
        unflushed.removeAll(keepingCapacity: true)
    }
}

/// Finds the `LoopFanout` of an event loop. Built once from the group, then
/// read-only — safe to share. Each fan-out is wrapped once, at start-up, in
/// a `NIOLoopBoundBox` (nothing is wrapped per delivery); its `value`
/// precondition is what proves every access runs on the fan-out's loop.
final class FanoutDirectory: Sendable {
    /// A loop's fan-out, and its count of delivery tasks not run yet (Sendable, so the
    /// hand-off can count outside the box).
    private struct Entry: Sendable {
        let fanout: NIOLoopBoundBox<LoopFanout>
        let queued: ManagedAtomic<Int>
    }
    private let byLoop: [ObjectIdentifier: Entry]

    init(group: EventLoopGroup, stats: ServerStats) {
        var map: [ObjectIdentifier: Entry] = [:]
        for loop in group.makeIterator() {
            // Made off the loop, the fan-out is sent into its box: no other
            // reference to it exists outside but its Sendable counter.
            let fanout = LoopFanout(loop: loop, stats: stats)
            let queued = fanout.queued
            map[ObjectIdentifier(loop)] = Entry(fanout: .makeBoxSendingValue(fanout, eventLoop: loop), queued: queued)
        }
        byLoop = map
    }

    /// The calling loop's fan-out (the caller is on `loop`).
    func fanout(for loop: EventLoop) -> LoopFanout {
        guard let f = byLoop[ObjectIdentifier(loop)] else {
            preconditionFailure("event loop \(loop) is not in the server's group")
        }
        return f.fanout.value
    }

    /// The hop from the publisher's thread to a subscriber loop: one task
    /// per (batch, loop), carrying the loop-bound fan-out, counted as queued on the loop and
    /// on the workflow's share of it.
    func deliver(_ batch: [StoredEvent], workflowID: String, acceptedAt: NIODeadline, toLoop id: ObjectIdentifier,
                 workflowQueued: ManagedAtomic<Int>) {
        guard let f = byLoop[id] else { return }
        f.queued.wrappingIncrement(ordering: .relaxed)
        workflowQueued.wrappingIncrement(ordering: .relaxed)
        let fanout = f.fanout
        fanout.eventLoop.execute {
            fanout.value.deliver(batch, workflowID: workflowID, acceptedAt: acceptedAt, workflowQueued: workflowQueued)
        }
    }
}
