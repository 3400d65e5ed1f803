import NIOConcurrencyHelpers
import NIOCore

/// The server's per-connection timers (CONNECT deadline, ping and pong, upgrade, linger,
/// header and body timeouts), one table per event loop, cancelled in O(1).
///
/// Why not `EventLoop.scheduleTask`: NIO keeps a loop's scheduled tasks in one binary heap and
/// cancels one by a linear search of it, and every connection keeps two or three timers there.
/// At 15,000 connections that search was 4.5 % of the server's CPU in a connects run (about
/// 12 µs per connect, docs/BENCHMARKS.md §18), and it grows with the connections held. Here a
/// cancel drops the timer's body from a dictionary; its heap entry stays until its deadline
/// comes and is then skipped. One NIO task is armed at a time, for the earliest deadline
/// (another only when a new deadline is earlier still), so NIO's heap holds a handful.
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

    private struct Entry {
        var deadline: NIODeadline
        var id: UInt64
    }

    private let loop: EventLoop
    private var heap: [Entry] = []
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
        push(Entry(deadline: deadline, id: nextID))
        arm()
        return Handle(id: nextID, owner: self)
    }

    private func cancel(_ id: UInt64) {
        loop.preconditionInEventLoop()
        bodies[id] = nil
        // Nothing live is left: the stale heap entries go at once rather than at their deadlines.
        if bodies.isEmpty { heap.removeAll(keepingCapacity: true) }
    }

    private func arm() {
        guard let first = heap.first, armed.map({ first.deadline < $0 }) ?? true else { return }
        armed = first.deadline
        let at = first.deadline
        loop.assumeIsolated().scheduleTask(deadline: at) { [self] in fire(armedAt: at) }
    }

    private func fire(armedAt at: NIODeadline) {
        if armed == at { armed = nil }
        let now = loop.now
        while let first = heap.first, first.deadline <= now {
            popFirst()
            if let body = bodies.removeValue(forKey: first.id) { body() }
        }
        if bodies.isEmpty { heap.removeAll(keepingCapacity: true) }
        arm()
    }

    // MARK: the min-heap by deadline

    private func push(_ e: Entry) {
        heap.append(e)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i].deadline < heap[parent].deadline else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    private func popFirst() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var least = i
            if l < heap.count, heap[l].deadline < heap[least].deadline { least = l }
            if r < heap.count, heap[r].deadline < heap[least].deadline { least = r }
            if least == i { return }
            heap.swapAt(i, least)
            i = least
        }
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
