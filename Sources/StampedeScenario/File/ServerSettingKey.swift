/// The settings a scenario's `server:` block may give the embedded server. One list: the
/// loader validates keys and value kinds against it (with file:line:col and did-you-mean),
/// `StampedeTarget` maps every case onto `ServerConfiguration` in one exhaustive switch, so
/// a new setting is a case here and an arm there — the compiler points at the second.
public enum ServerSettingKey: String, CaseIterable, Sendable {
    case pingInterval = "ping_interval"
    case pingTimeout = "ping_timeout"
    case maxPayload = "max_payload"
    case stepDelay = "step_delay"
    case maxConnectionsPerUser = "max_connections_per_user"
    case historyLimit = "history_limit"
    case terminalRetention = "terminal_retention"
    case maxDisconnectionDuration = "max_disconnection_duration"
    case jwtSecret = "jwt_secret"
    case audience
    case rateLimitEventsPerSecond = "rate_limit_events_per_second"
    case rateLimitBurst = "rate_limit_burst"
    case workflowCreateRate = "workflow_create_rate"
    case workflowCreateBurst = "workflow_create_burst"
    case slowConsumerBytes = "slow_consumer_bytes"
    case maxSubscriptions = "max_subscriptions"

    public enum Kind: Sendable {
        /// "500ms", "2s" or a number of milliseconds.
        case duration
        case integer
        /// A number, or a rate such as "10/s".
        case number
        case text
    }

    public var kind: Kind {
        switch self {
        case .pingInterval, .pingTimeout, .stepDelay, .terminalRetention, .maxDisconnectionDuration: .duration
        case .maxPayload, .maxConnectionsPerUser, .historyLimit, .slowConsumerBytes, .maxSubscriptions: .integer
        case .rateLimitEventsPerSecond, .rateLimitBurst, .workflowCreateRate, .workflowCreateBurst: .number
        case .jwtSecret, .audience: .text
        }
    }
}
