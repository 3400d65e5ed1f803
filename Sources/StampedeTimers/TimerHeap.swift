/// Timers earliest first: a binary min-heap on (deadline, id), so two timers for one instant
/// come out in the order they were scheduled. The load generator's `ReactorLoop` keeps its
/// timers' tasks in it; the server's `LoopTimers` only ids (their bodies live beside it, so a
/// cancelled one frees what it captured at once). Both drop cancelled entries lazily, when they
/// reach the top, which is what makes a cancel O(1) instead of a search of the heap.
public struct TimerHeap<Payload> {
    public struct Entry {
        /// `NIODeadline.uptimeNanoseconds`.
        public let deadline: UInt64
        public let id: UInt64
        public let payload: Payload

        @inlinable
        public init(deadline: UInt64, id: UInt64, payload: Payload) {
            self.deadline = deadline
            self.id = id
            self.payload = payload
        }

        @inlinable
        func precedes(_ other: Entry) -> Bool {
            deadline != other.deadline ? deadline < other.deadline : id < other.id
        }
    }

    @usableFromInline var items: [Entry] = []

    @inlinable public init() {}

    @inlinable public var count: Int { items.count }
    @inlinable public var peek: Entry? { items.first }

    /// Drops every entry (keeping the storage).
    @inlinable public mutating func removeAll() { items.removeAll(keepingCapacity: true) }

    @inlinable
    public mutating func push(_ e: Entry) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].precedes(items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    @inlinable
    public mutating func pop() -> Entry? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count && items[l].precedes(items[m]) { m = l }
            if r < items.count && items[r].precedes(items[m]) { m = r }
            guard m != i else { break }
            items.swapAt(i, m)
            i = m
        }
        return top
    }
}
