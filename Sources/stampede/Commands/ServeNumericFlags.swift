import ArgumentParser
import StampedeServer

/// Every whole-number `serve` flag, described once: its environment variable, its range and the
/// setting it sets. `validate()` checks the flags' own values against it (a usage error before
/// anything starts); `run` takes flag-or-environment through the same rows, so a range is never
/// written twice and a new flag is an `@Option` plus one row.
struct NumericServeFlag {
    let flag: String
    let env: String
    let range: ClosedRange<Int>
    let read: (ServeCommand) -> Int?
    let setting: WritableKeyPath<ServerConfiguration, Int>

    static let day = 86_400_000
    static let unbounded = Int.max

    static var all: [NumericServeFlag] { [
        .init(flag: "--port", env: "STAMPEDE_PORT", range: 0...65535, read: { $0.port }, setting: \.port),
        .init(flag: "--ping-interval", env: "STAMPEDE_PING_INTERVAL", range: 1...3_600_000, read: { $0.pingInterval }, setting: \.pingIntervalMs),
        .init(flag: "--ping-timeout", env: "STAMPEDE_PING_TIMEOUT", range: 1...3_600_000, read: { $0.pingTimeout }, setting: \.pingTimeoutMs),
        .init(flag: "--max-payload", env: "STAMPEDE_MAX_PAYLOAD", range: 1...unbounded, read: { $0.maxPayload }, setting: \.maxPayload),
        .init(flag: "--step-delay", env: "STAMPEDE_STEP_DELAY", range: 0...3_600_000, read: { $0.stepDelay }, setting: \.stepDelayMs),
        .init(flag: "--max-connections-per-user", env: "STAMPEDE_MAX_CONNECTIONS_PER_USER", range: 1...unbounded,
              read: { $0.maxConnectionsPerUser }, setting: \.maxConnectionsPerUser),
        .init(flag: "--history", env: "STAMPEDE_HISTORY", range: 1...unbounded, read: { $0.history }, setting: \.historyLimit),
        .init(flag: "--publish-batch", env: "STAMPEDE_PUBLISH_BATCH", range: 1...unbounded, read: { $0.publishBatch }, setting: \.clusterPublishBatch),
        .init(flag: "--recovery-window", env: "STAMPEDE_RECOVERY_WINDOW", range: 0...day,
              read: { $0.connections.recoveryWindow }, setting: \.maxDisconnectionDurationMs),
        .init(flag: "--connect-timeout", env: "STAMPEDE_CONNECT_TIMEOUT", range: 1...day,
              read: { $0.connections.connectTimeout }, setting: \.connectTimeoutMs),
        .init(flag: "--header-timeout", env: "STAMPEDE_HEADER_TIMEOUT", range: 1...day,
              read: { $0.connections.headerTimeout }, setting: \.headerTimeoutMs),
        .init(flag: "--body-timeout", env: "STAMPEDE_BODY_TIMEOUT", range: 1...day,
              read: { $0.connections.bodyTimeout }, setting: \.bodyTimeoutMs),
        .init(flag: "--idle-timeout", env: "STAMPEDE_IDLE_TIMEOUT", range: 1...day,
              read: { $0.connections.idleTimeout }, setting: \.idleTimeoutMs),
        .init(flag: "--write-stall-timeout", env: "STAMPEDE_WRITE_STALL_TIMEOUT", range: 1...day,
              read: { $0.connections.writeStallTimeout }, setting: \.writeStallTimeoutMs),
        .init(flag: "--idle-workflow-retention", env: "STAMPEDE_IDLE_WORKFLOW_RETENTION", range: 1...(365 * 86_400),
              read: { $0.connections.idleWorkflowRetention }, setting: \.idleWorkflowRetentionWholeSeconds),
    ] }

    /// The flag's own value, if given, within its range.
    func validate(_ command: ServeCommand) throws { try check(read(command)) }

    /// Flag, else environment variable, else the configuration's default. The range is checked
    /// once, on the merged configuration (`validate(_: ServerConfiguration)`), whichever source
    /// gave the value.
    func apply(_ command: ServeCommand, env: [String: String], to c: inout ServerConfiguration) throws {
        var value = read(command)
        if value == nil, let raw = env[self.env], !raw.isEmpty {
            guard let v = Int(raw) else { throw ValidationError("\(self.env)=\(raw) is not a whole number") }
            value = v
        }
        if let value { c[keyPath: setting] = value }
    }

    /// The merged configuration's value (flag, `STAMPEDE_…`, then `--set` and `STAMPEDE_SET`,
    /// which reach the same fields by their scenario names) within this flag's range.
    func validate(_ c: ServerConfiguration) throws {
        try check(c[keyPath: setting], as: "\(flag) (\(env), or its --set setting)")
    }

    private func check(_ value: Int?, as label: String? = nil) throws {
        if range.upperBound == Self.unbounded {
            try FlagChecks.atLeast(label ?? flag, value, range.lowerBound)
        } else {
            try FlagChecks.range(label ?? flag, value, range)
        }
    }
}

extension ServerConfiguration {
    /// `--idle-workflow-retention` takes whole seconds.
    fileprivate var idleWorkflowRetentionWholeSeconds: Int {
        get { Int(idleWorkflowRetentionSeconds) }
        set { idleWorkflowRetentionSeconds = Double(newValue) }
    }
}
