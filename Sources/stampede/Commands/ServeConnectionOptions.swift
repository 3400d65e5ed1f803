import ArgumentParser
import StampedeServer

/// `on` / `off` for switches that default to on.
enum Switch: String, ExpressibleByArgument, CaseIterable {
    case on, off
}

/// The connection-facing options of `stampede serve`: browsers (CORS), the
/// Engine.IO path, connection state recovery, timeouts and bounds. Each
/// also reads an environment variable, named in --help.
struct ServeConnectionOptions: ParsableArguments {
    @Option(name: .customLong("cors-origin"),
            help: "Origin allowed to call from a browser page; repeat it, or `*` for any. Default: no CORS headers (same-origin only). (env: STAMPEDE_CORS_ORIGIN, comma-separated)")
    var corsOrigins: [String] = []
    @Flag(name: .customLong("cors-credentials"), help: "Send Access-Control-Allow-Credentials: true (the origin is echoed, never `*`). (env: STAMPEDE_CORS_CREDENTIALS=1)")
    var corsCredentials = false
    @Option(name: .customLong("path"), help: "Engine.IO path. (env: STAMPEDE_PATH; default /socket.io/)") var path: String?
    @Option(name: .customLong("connection-state-recovery"),
            help: "Socket.IO connection state recovery: pid, offsets on every event, restored sessions. Python clients with one-argument handlers want `off`. (env: STAMPEDE_CONNECTION_STATE_RECOVERY; default on)")
    var connectionStateRecovery: Switch?
    @Option(name: .customLong("recovery-window"), help: "maxDisconnectionDuration, ms. (env: STAMPEDE_RECOVERY_WINDOW; default 120000)") var recoveryWindow: Int?
    @Option(name: .customLong("connect-timeout"), help: "Time to join a namespace after the handshake, ms. (env: STAMPEDE_CONNECT_TIMEOUT; default 45000)") var connectTimeout: Int?
    @Flag(name: .customLong("protect-stats"), help: "The stats endpoint needs an admin or service token. (env: STAMPEDE_PROTECT_STATS=1)") var protectStats = false
    @Option(name: .customLong("header-timeout"), help: "Request headers must arrive within this, ms. (env: STAMPEDE_HEADER_TIMEOUT; default 10000)") var headerTimeout: Int?
    @Option(name: .customLong("body-timeout"), help: "A request body may stall this long, ms. (env: STAMPEDE_BODY_TIMEOUT; default 10000)") var bodyTimeout: Int?
    @Option(name: .customLong("idle-timeout"), help: "Idle keep-alive connections close after this, ms. (env: STAMPEDE_IDLE_TIMEOUT; default 60000)") var idleTimeout: Int?
    @Option(name: .customLong("write-stall-timeout"), help: "A connection whose unsent output stays past its bound closes after this, ms. (env: STAMPEDE_WRITE_STALL_TIMEOUT; default 10000)") var writeStallTimeout: Int?
    @Option(name: .customLong("idle-workflow-retention"), help: "Non-terminal workflows nobody publishes to or watches are dropped after this, seconds. (env: STAMPEDE_IDLE_WORKFLOW_RETENTION; default 3600)") var idleWorkflowRetention: Int?

    /// The non-numeric options; the numeric ones go through `NumericServeFlag.all` with the rest of
    /// `serve`'s.
    func apply(to c: inout ServerConfiguration, env: [String: String]) throws {
        func pick<T>(_ flag: T?, _ name: String, _ parse: (String) -> T?) throws -> T? {
            if let flag { return flag }
            guard let raw = env[name], !raw.isEmpty else { return nil }
            guard let v = parse(raw) else { throw ValidationError("\(name)=\(raw) is not valid") }
            return v
        }
        let truthy: (String) -> Bool? = { ["1", "true", "yes", "on"].contains($0.lowercased()) ? true : (["0", "false", "no", "off"].contains($0.lowercased()) ? false : nil) }
        let origins = corsOrigins.isEmpty ? (env["STAMPEDE_CORS_ORIGIN"].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []) : corsOrigins
        for o in origins where o != "*" && !(o.hasPrefix("http://") || o.hasPrefix("https://")) {
            throw ValidationError("--cors-origin \(o): an origin is scheme://host[:port] (or `*`)")
        }
        c.corsOrigins = origins
        let envCredentials = try pick(nil, "STAMPEDE_CORS_CREDENTIALS", truthy) ?? false
        c.corsCredentials = corsCredentials || envCredentials
        if c.corsCredentials && origins == ["*"] {
            throw ValidationError("--cors-credentials needs explicit origins: browsers refuse credentials with `*`")
        }
        if let p = try pick(path, "STAMPEDE_PATH", { $0 }) {
            guard p.hasPrefix("/"), !p.contains("?") else { throw ValidationError("--path must start with / (got \(p))") }
            c.enginePath = p.hasSuffix("/") ? p : p + "/"
        }
        if let csr = try pick(connectionStateRecovery, "STAMPEDE_CONNECTION_STATE_RECOVERY", { Switch(rawValue: $0.lowercased()) }) {
            c.connectionStateRecovery = csr == .on
        }
        let envProtect = try pick(nil, "STAMPEDE_PROTECT_STATS", truthy) ?? false
        c.protectStats = protectStats || envProtect
    }
}
