import StampedeContract

/// What a UI shows about the live connection.
public enum ConnectionState: Sendable, Equatable {
    case idle
    case connecting
    case connected(sid: String)
    /// Sockets are unavailable; the next attempt is `delay` away and, when
    /// enabled, the HTTP polling fallback keeps subscriptions fed meanwhile.
    case reconnecting(attempt: Int, delay: Duration)
    /// The server refused the token; with a fixed token nothing more is tried.
    case unauthorized(AuthFailureCode?)
    case closed

    public var isConnected: Bool { if case .connected = self { true } else { false } }
}

/// Errors a subscription stream or `connect()` ends with.
public enum StampedeClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case unauthorized(AuthFailureCode?)
    /// The subscribe ack said no (`not_found`, `forbidden`, …).
    case subscribeRefused(code: String, message: String)
    case closed
    case timeout
    case invalidWorkflowID(String)
    /// The consumer fell `subscriptionBufferLimit` events behind. It got
    /// every event up to `resumeSince`; `subscribe(workflowID, since:
    /// resumeSince)` continues without a gap.
    case consumerTooSlow(workflowID: String, resumeSince: Int64)

    public var description: String {
        switch self {
        case .unauthorized(let c): return "unauthorized (\(c?.rawValue ?? "unknown"))"
        case .subscribeRefused(let c, let m): return "subscribe refused: \(c) \(m)"
        case .closed: return "client closed"
        case .timeout: return "timed out"
        case .invalidWorkflowID(let id): return "invalid workflow id \(id.debugDescription)"
        case .consumerTooSlow(let id, let since): return "consumer too slow for \(id): resubscribe with since \(since)"
        }
    }
}
