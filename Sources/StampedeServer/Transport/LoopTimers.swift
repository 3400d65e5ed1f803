import NIOConcurrencyHelpers
import NIOCore
import StampedeTimers

/// The server's per-connection timers (CONNECT deadline, ping and pong, upgrade, linger,
/// header and body timeouts), one table per event loop, cancelled in O(1).
///
/// Why not `EventLoop.scheduleTask`: NIO keeps a loop's scheduled tasks in one binary heap and
/// cancels one by a linear search of it, and every connection keeps two or three timers there.
/// At 15,000 connections that search was 4.5 % of the server's CPU in a connects run (about
/// 12 µs per connect, docs/BENCHMARKS.md §18), and it grows with the connections held. Here a
/// cancel drops the timer's body from a dictionary; its heap entry is dropped when it reaches
/// the top. One NIO task is armed at a time, for the earliest live deadline (another only when
/// a new deadline is earlier still), so NIO's heap holds a handful.
///
/// Loop-confined: schedule, cancel and the bodies all run on `loop` (checked), times are
/// `loop.now`; only `on(_:)` is called from anywhere, under its lock.
final class LoopTimers: @unchecked Sendable {
    /// A scheduled timer; `cancel()` after it ran, or twice, does nothing.
    struct Handle {
        fileprivate let id: UInt64
        fileprivate let owner: LoopTimers

        func cancel() { owner.cancel(id) }
    }

    private let loop: EventLoop
    /// Ids by deadline; a cancelled id stays until it reaches the top.
    private var heap = TimerHeap<Void>()
    private var bodies: [UInt64: () -> Void] = [:]
    private var nextID: UInt64 = 0
    /// The deadline of the NIO task that will look next (nil: none armed).
    private var armed: NIODeadline?

    private init(loop: EventLoop) { self.loop = loop }

    /// Timers waiting (cancelled ones not counted).
    var count: Int { bodies.count }

    func schedule(in delay: TimeAmount, _ body: @escaping () -> Void) -> Handle {
        schedule(deadline: loop.now + delay, body)
    }

    func schedule(deadline: NIODeadline, _ body: @escaping () -> Void) -> Handle {
        loop.preconditionInEventLoop()
        nextID &+= 1
        bodies[nextID] = body
        heap.push(.init(deadline: deadline.uptimeNanoseconds, id: nextID, payload: ()))
        arm()
        return Handle(id: nextID, owner: self)
    }

    private func cancel(_ id: UInt64) {
        loop.preconditionInEventLoop()
        bodies[id] = nil
        // Nothing live is left: the stale heap entries go at once rather than one by one.
        if bodies.isEmpty { heap.removeAll() }
    }

    /// Arms NIO for the earliest live deadline. Cancelled entries on top go first: a CONNECT
    /// deadline cancelled at the CONNECT would otherwise still wake the loop when its time came.
    private func arm() {
        while let top = heap.peek, bodies[top.id] == nil { _ = heap.pop() }
        guard let top = heap.peek else { return }
        let at = NIODeadline.uptimeNanoseconds(top.deadline)
        guard armed.map({ at < $0 }) ?? true else { return }
        armed = at
        loop.assumeIsolated().scheduleTask(deadline: at) { [self] in fire(armedAt: at) }
    }

    private func fire(armedAt at: NIODeadline) {
        if armed == at { armed = nil }
        let now = loop.now.uptimeNanoseconds
        while let top = heap.peek, top.deadline <= now {
            _ = heap.pop()
            if let body = bodies.removeValue(forKey: top.id) { body() }
        }
        arm()
    }

    // MARK: one table per loop

    /// Held weakly: a table lives as long as a connection's handle or its armed NIO task holds
    /// it (so a shut-down loop's table, its loop and its timers' bodies are freed with them).
    private struct Registered: @unchecked Sendable {
        weak var timers: LoopTimers?
    }

    private static let registry = NIOLockedValueBox<[ObjectIdentifier: Registered]>([:])

    /// The table of `loop` (made on first use; one whose table is gone gets a new one).
    static func on(_ loop: EventLoop) -> LoopTimers {
        let key = ObjectIdentifier(loop as AnyObject)
        return registry.withLockedValue { tables in
            if let t = tables[key]?.timers, t.loop === loop { return t }
            tables = tables.filter { $0.value.timers != nil }
            let t = LoopTimers(loop: loop)
            tables[key] = Registered(timers: t)
            return t
        }
    }
}
