import StampedeScenario
import Logging
import StampedeJSON
import StampedeServer

/// The embedded server's configuration, for every caller that starts one: `stampede run`
/// (from the scenario's `server:` block), `stampede conformance`, and the tests.
extension ServerConfiguration {
    /// The scenario's `server:` block on an ephemeral port. Every `ServerSettingKey` is mapped
    /// here, in one exhaustive switch. The embedded server logs warnings and worse only: the
    /// run's own output is the report.
    public static func embedded(for scenario: Scenario, secret: String) -> ServerConfiguration {
        var c = ServerConfiguration()
        c.port = 0
        c.jwtSecret = secret
        c.audience = scenario.auth.audience
        c.log = .quiet
        let o = ServerOptions(scenario.server)
        for key in ServerSettingKey.allCases where o.values[key.rawValue] != nil {
            c.apply(key, o)
        }
        return c
    }

    /// Short timers, so heartbeat and connect-timeout rules are probed in seconds: what
    /// `stampede conformance` and the end-to-end tests run against.
    public static func fastTimers(secret: String = "dev-secret", audience: String? = nil) -> ServerConfiguration {
        var c = ServerConfiguration()
        c.port = 0
        c.jwtSecret = secret
        c.audience = audience
        c.pingIntervalMs = 1000
        c.pingTimeoutMs = 800
        c.connectTimeoutMs = 1500
        c.stepDelayMs = 20
        c.log = .quiet
        return c
    }

    /// `key=value` settings by their scenario names (`serve --set history_limit=50`): every
    /// `ServerSettingKey` is a `serve` setting too, with no flag of its own to add.
    public mutating func apply(settings: [String]) throws {
        var values: [String: JSONValue] = [:]
        for item in settings {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let key = ServerSettingKey(rawValue: parts[0]) else {
                let known = ServerSettingKey.allCases.map(\.rawValue).joined(separator: ", ")
                throw SettingError(message: "--set expects key=value with a key among \(known); got '\(item)'")
            }
            let text = parts[1]
            values[key.rawValue] = Int64(text).map(JSONValue.int) ?? Double(text).map(JSONValue.double) ?? .string(text)
            let o = ServerOptions(values)
            let understood: Bool
            switch key.kind {
            case .duration: understood = o.milliseconds(key) != nil
            case .integer: understood = o.int(key) != nil
            case .number: understood = o.double(key) != nil
            case .text: understood = true
            }
            guard understood else { throw SettingError(message: "--set \(key.rawValue): '\(text)' is not a \(key.kind)") }
        }
        let o = ServerOptions(values)
        for key in ServerSettingKey.allCases where values[key.rawValue] != nil { apply(key, o) }
    }

    public struct SettingError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    mutating func apply(_ key: ServerSettingKey, _ o: ServerOptions) {
        switch key {
        case .pingInterval: o.milliseconds(key).map { pingIntervalMs = $0 }
        case .pingTimeout: o.milliseconds(key).map { pingTimeoutMs = $0 }
        case .maxPayload: o.int(key).map { maxPayload = $0 }
        case .stepDelay: o.milliseconds(key).map { stepDelayMs = $0 }
        case .maxConnectionsPerUser: o.int(key).map { maxConnectionsPerUser = $0 }
        case .historyLimit: o.int(key).map { historyLimit = $0 }
        case .terminalRetention: o.seconds(key).map { terminalRetentionSeconds = $0 }
        case .maxDisconnectionDuration: o.milliseconds(key).map { maxDisconnectionDurationMs = $0 }
        case .jwtSecret: o.string(key).map { jwtSecret = $0 }
        case .audience: o.string(key).map { audience = $0 }
        case .rateLimitEventsPerSecond: o.double(key).map { socketEventsPerSecond = $0 }
        case .rateLimitBurst: o.double(key).map { socketEventBurst = $0 }
        case .workflowCreateRate: o.double(key).map { workflowCreatesPerSecond = $0 }
        case .workflowCreateBurst: o.double(key).map { workflowCreateBurst = $0 }
        case .slowConsumerBytes: o.int(key).map { outboundQueueLimit = $0 }
        case .maxSubscriptions: o.int(key).map { maxSubscriptionsPerSocket = $0 }
        }
    }
}

extension ServerLog {
    /// Warnings and worse: an embedded server's refusals are the run's subject, not news.
    public static var quiet: ServerLog {
        var logger = Logger(label: "stampede.embedded")
        logger.logLevel = .warning
        return ServerLog(logger: logger)
    }
}
