import Foundation

/// A queue a NIO handler pushes into and a test awaits on, with a timeout so
/// a missing packet fails the test instead of hanging it.
final class AsyncInbox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []
    private var finished = false
    private var waiters: [Int: CheckedContinuation<T?, Never>] = [:]
    private var nextWaiter = 0

    func push(_ item: T) {
        lock.lock()
        if let (id, w) = waiters.min(by: { $0.key < $1.key }) {
            waiters[id] = nil
            lock.unlock()
            w.resume(returning: item)
            return
        }
        items.append(item)
        lock.unlock()
    }

    func finish() {
        lock.lock()
        finished = true
        let ws = waiters.values
        waiters = [:]
        lock.unlock()
        for w in ws { w.resume(returning: nil) }
    }

    var isFinished: Bool { lock.lock(); defer { lock.unlock() }; return finished && items.isEmpty }

    /// The next item; nil when the source finished or `timeout` passed.
    func next(timeout: Double = 5) async -> T? {
        await withCheckedContinuation { (c: CheckedContinuation<T?, Never>) in
            lock.lock()
            if !items.isEmpty {
                let item = items.removeFirst()
                lock.unlock()
                c.resume(returning: item)
                return
            }
            if finished {
                lock.unlock()
                c.resume(returning: nil)
                return
            }
            let id = nextWaiter
            nextWaiter += 1
            waiters[id] = c
            lock.unlock()
            Task {
                try? await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
                let w = self.lock.withLock { self.waiters.removeValue(forKey: id) }
                w?.resume(returning: nil)
            }
        }
    }

    /// Items that arrive within `timeout` seconds, without waiting for more.
    func drain() -> [T] {
        lock.lock(); defer { lock.unlock() }
        let out = items
        items = []
        return out
    }
}
