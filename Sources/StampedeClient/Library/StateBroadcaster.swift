import NIOConcurrencyHelpers

/// Holds the current `ConnectionState` and fans every change out to any
/// number of `AsyncStream` listeners; each new listener first hears the
/// current state, so a UI never starts blank.
final class StateBroadcaster: Sendable {
    private struct Inner {
        var state: ConnectionState = .idle
        var listeners: [Int: AsyncStream<ConnectionState>.Continuation] = [:]
        var nextKey = 0
    }
    private let inner = NIOLockedValueBox(Inner())

    var current: ConnectionState { inner.withLockedValue { $0.state } }

    func set(_ s: ConnectionState) {
        let listeners = inner.withLockedValue { i -> [AsyncStream<ConnectionState>.Continuation] in
            guard i.state != s else { return [] }
            i.state = s
            return Array(i.listeners.values)
        }
        for l in listeners { l.yield(s) }
    }

    func stream() -> AsyncStream<ConnectionState> {
        AsyncStream(bufferingPolicy: .bufferingNewest(64)) { cont in
            let key = inner.withLockedValue { i -> Int in
                i.nextKey += 1
                i.listeners[i.nextKey] = cont
                cont.yield(i.state)
                return i.nextKey
            }
            cont.onTermination = { [weak self] _ in
                _ = self?.inner.withLockedValue { $0.listeners.removeValue(forKey: key) }
            }
        }
    }

    func finishAll() {
        let ls = inner.withLockedValue { i -> [AsyncStream<ConnectionState>.Continuation] in
            defer { i.listeners = [:] }
            return Array(i.listeners.values)
        }
        for l in ls { l.finish() }
    }
}
