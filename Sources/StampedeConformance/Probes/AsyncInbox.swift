import NIOConcurrencyHelpers

/// A queue a NIO handler pushes into and a reader awaits on, with a timeout so a
/// missing packet fails the probe or test instead of hanging it. A waiting reader
/// is resumed by the push itself (no polling); the timeout is one sleep per wait.
/// The one inbox of the conformance probes and the tests (StampedeTestSupport).
public final class AsyncInbox<T: Sendable>: Sendable {
    private enum Outcome { case item(T), finished, waiting(Int) }

    private struct State {
        var items: [T] = []
        var finished = false
        var waiters: [Int: CheckedContinuation<T?, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    public func push(_ item: T) {
        let waiter: CheckedContinuation<T?, Never>? = state.withLockedValue { s in
            guard let id = s.waiters.keys.min() else {
                s.items.append(item)
                return nil
            }
            return s.waiters.removeValue(forKey: id)
        }
        waiter?.resume(returning: item)
    }

    /// No more items: waiting and later readers get nil once the queue is empty.
    public func finish() {
        let waiters = state.withLockedValue { s in
            s.finished = true
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for w in waiters { w.resume(returning: nil) }
    }

    /// Finished and emptied.
    public var isFinished: Bool { state.withLockedValue { $0.finished && $0.items.isEmpty } }

    /// The next item; nil when the source finished or `timeout` seconds passed.
    public func next(timeout: Double = 5) async -> T? {
        await next(within: .milliseconds(Int64(max(timeout, 0) * 1000)))
    }

    /// The next item; nil when the source finished or `timeout` passed.
    public func next(within timeout: Duration) async -> T? {
        await withCheckedContinuation { (c: CheckedContinuation<T?, Never>) in
            let outcome: Outcome = state.withLockedValue { s in
                if !s.items.isEmpty { return .item(s.items.removeFirst()) }
                if s.finished { return .finished }
                let id = s.nextWaiter
                s.nextWaiter += 1
                s.waiters[id] = c
                return .waiting(id)
            }
            switch outcome {
            case .item(let item): c.resume(returning: item)
            case .finished: c.resume(returning: nil)
            case .waiting(let id):
                Task {
                    try? await Task.sleep(for: timeout)
                    self.state.withLockedValue { $0.waiters.removeValue(forKey: id) }?.resume(returning: nil)
                }
            }
        }
    }

    /// The items already queued, without waiting for more.
    public func drain() -> [T] {
        state.withLockedValue { s in
            defer { s.items = [] }
            return s.items
        }
    }
}
