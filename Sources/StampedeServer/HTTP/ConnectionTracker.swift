import NIOConcurrencyHelpers
import NIOCore

/// Knows every open connection so shutdown can cut the ones still open
/// after the grace period (idle keep-alive connections, stuck clients).
final class ConnectionTracker: Sendable {
    private let channels = NIOLockedValueBox<[ObjectIdentifier: Channel]>([:])

    func add(_ c: Channel) {
        channels.withLockedValue { $0[ObjectIdentifier(c)] = c }
        c.closeFuture.whenComplete { [self] _ in
            _ = channels.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(c)) }
        }
    }

    var count: Int { channels.withLockedValue { $0.count } }

    /// The open connections, now.
    var all: [Channel] { channels.withLockedValue { Array($0.values) } }

    /// Closes every connection; completes when all are closed.
    func closeAll(on loop: EventLoop) -> EventLoopFuture<Void> {
        let all = channels.withLockedValue { Array($0.values) }
        for c in all { c.close(promise: nil) }
        return EventLoopFuture.andAllComplete(all.map(\.closeFuture), on: loop)
    }
}
