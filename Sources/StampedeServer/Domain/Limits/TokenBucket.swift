import NIOCore

/// A token bucket (PROTOCOL §6): `rate` tokens per second up to `burst`.
/// A value type driven by the caller's clock so it is testable without
/// sleeping and costs nothing to keep per socket.
public struct TokenBucket: Sendable {
    public let rate: Double
    public let burst: Double
    private var tokens: Double
    private var last: NIODeadline

    public init(rate: Double, burst: Double, now: NIODeadline) {
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.last = now
    }

    public enum Decision: Equatable, Sendable {
        case allowed
        case refused(retryAfterMs: Int)
    }

    public mutating func take(now: NIODeadline) -> Decision {
        let elapsed = Double((now - last).nanoseconds) / 1e9
        if elapsed > 0 {
            tokens = min(burst, tokens + elapsed * rate)
            last = now
        }
        if tokens >= 1 {
            tokens -= 1
            return .allowed
        }
        // A zero rate never refills: say a day rather than trap on infinity.
        let wait = rate > 0 ? min((1 - tokens) / rate, 86_400) : 86_400
        return .refused(retryAfterMs: max(1, Int((wait * 1000).rounded(.up))))
    }
}

/// Counts refusals in a sliding window: past `limit` within `window` the
/// socket is abusive and gets disconnected (PROTOCOL §6: 50 in 10 s).
public struct RefusalWindow: Sendable {
    public let limit: Int
    public let window: TimeAmount
    private var stamps: [NIODeadline] = []

    public init(limit: Int, window: TimeAmount) {
        self.limit = limit
        self.window = window
    }

    /// Records one refusal; true when the socket has now passed the limit.
    public mutating func record(now: NIODeadline) -> Bool {
        let cutoff = now - window
        stamps.removeAll { $0 < cutoff }
        stamps.append(now)
        return stamps.count >= limit
    }
}

/// Every limit the domain enforces, in the domain's terms: a view of `ServerConfiguration`,
/// which alone holds the values and their defaults.
public struct DomainLimits: Sendable {
    public let socketEventsPerSecond: Double
    public let socketEventBurst: Double
    public let refusalsBeforeDisconnect: Int
    public let refusalWindowSeconds: Int
    public let workflowCreatesPerSecond: Double
    public let workflowCreateBurst: Double
    public let maxSubscriptionsPerSocket: Int
    public let maxEventsPerPublish: Int
    /// When true, `GET /api/v1/websocket/stats` needs an `admin` (or `service`) token.
    public let statsRequireAdmin: Bool
    /// Unsent bytes a socket may owe (PROTOCOL §5.6); live events queued
    /// behind a paced replay count against it too.
    public let outboundQueueLimit: Int
    /// Socket.IO connection state recovery (pid + offsets).
    public let connectionStateRecovery: Bool

    public init(_ c: ServerConfiguration) {
        socketEventsPerSecond = c.socketEventsPerSecond
        socketEventBurst = c.socketEventBurst
        refusalsBeforeDisconnect = c.rateLimitAbuseRefusals
        refusalWindowSeconds = Int(c.rateLimitAbuseWindowSeconds)
        workflowCreatesPerSecond = c.workflowCreatesPerSecond
        workflowCreateBurst = c.workflowCreateBurst
        maxSubscriptionsPerSocket = c.maxSubscriptionsPerSocket
        maxEventsPerPublish = c.maxEventsPerPublish
        statsRequireAdmin = c.protectStats
        outboundQueueLimit = c.outboundQueueLimit
        connectionStateRecovery = c.connectionStateRecovery
    }
}
