import Atomics
import NIOConcurrencyHelpers

/// Every live Engine.IO session by sid. Polling requests for a session come
/// in on any connection and any event loop, so the lookup is shared (a lock,
/// off the fan-out path: the domain holds its sockets' outputs directly).
final class SessionRegistry: Sendable {
    private let sessions = NIOLockedValueBox<[String: EngineIOSession]>([:])
    private let requestCounter = ManagedAtomic<UInt64>(0)

    func add(_ s: EngineIOSession) { sessions.withLockedValue { $0[s.sid] = s } }

    func remove(_ s: EngineIOSession) {
        sessions.withLockedValue { if $0[s.sid] === s { $0[s.sid] = nil } }
    }

    func session(_ sid: String) -> EngineIOSession? { sessions.withLockedValue { $0[sid] } }

    var all: [EngineIOSession] { sessions.withLockedValue { Array($0.values) } }
    var count: Int { sessions.withLockedValue { $0.count } }

    /// Ids for HTTP requests, so a session can tell a stale GET/POST from
    /// the one it is holding.
    func nextRequestID() -> UInt64 { requestCounter.wrappingIncrementThenLoad(ordering: .relaxed) }
}
