import ArgumentParser
import Dispatch
import Foundation
import Logging
import ServiceLifecycle
import StampedeCluster
import StampedeReports
import StampedeServer
import StampedeTarget

/// `stampede serve`: the workflow-updates server. Every flag also reads an
/// environment variable (named in --help) so containers need no arguments.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Socket.IO workflow-updates server.",
        discussion: "Exit 0 after SIGINT/SIGTERM, 3 when it cannot start (busy port, unusable TLS file), 64 on a usage error."
    )

    @Option(help: "Address to bind. (env: STAMPEDE_HOST; default 127.0.0.1)") var host: String?
    @Option(help: "Port; 0 picks a free one. (env: STAMPEDE_PORT; default 8080)") var port: Int?
    @Option(name: .customLong("jwt-secret"), help: "HS256 secret. (env: STAMPEDE_JWT_SECRET; default dev-secret, for local use only)") var jwtSecret: String?
    @Option(name: .customLong("jwks"), help: "JWKS file with RS256/ES256 keys. (env: STAMPEDE_JWKS)") var jwks: String?
    @Option(help: "Required token audience. (env: STAMPEDE_AUDIENCE)") var audience: String?
    @Option(name: .customLong("ping-interval"), help: "Engine.IO pingInterval, ms. (env: STAMPEDE_PING_INTERVAL; default 25000)") var pingInterval: Int?
    @Option(name: .customLong("ping-timeout"), help: "Engine.IO pingTimeout, ms. (env: STAMPEDE_PING_TIMEOUT; default 20000)") var pingTimeout: Int?
    @Option(name: .customLong("max-payload"), help: "Engine.IO maxPayload, bytes. (env: STAMPEDE_MAX_PAYLOAD; default 1000000)") var maxPayload: Int?
    @Option(name: .customLong("step-delay"), help: "Delay between search workflow steps, ms. (env: STAMPEDE_STEP_DELAY; default 200)") var stepDelay: Int?
    @Option(name: .customLong("max-connections-per-user"), help: "Concurrent sockets per user. (env: STAMPEDE_MAX_CONNECTIONS_PER_USER; default 20)") var maxConnectionsPerUser: Int?
    @Option(name: .customLong("history"), help: "Events kept per workflow. (env: STAMPEDE_HISTORY; default 1000)") var history: Int?
    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain; serves https/wss with --tls-key. (env: STAMPEDE_TLS_CERT)") var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key. (env: STAMPEDE_TLS_KEY)") var tlsKey: String?
    @OptionGroup(title: "Connections") var connections: ServeConnectionOptions
    @Option(name: .customLong("postgres"), help: "Cluster mode: workflows, history and fan-out shared through this PostgreSQL database (postgres://user[:password]@host[:port]/db). (env: STAMPEDE_POSTGRES_URL)")
    var postgres: String?
    @Option(name: .customLong("node-id"), help: "Cluster mode: this node's name in the cluster's stats. (env: STAMPEDE_NODE_ID; default host:port:random)")
    var nodeID: String?
    @Option(name: .customLong("publish-batch"), help: "Cluster mode: the most publishes a node commits in one transaction; those arriving within ~1 ms share it (1: one transaction each). (env: STAMPEDE_PUBLISH_BATCH; default 64)")
    var publishBatch: Int?
    @Flag(name: .customLong("reuse-port"), help: "SO_REUSEPORT: several nodes on this machine share the port (WebSocket clients; long-polling needs a sticky balancer, see deploy/nginx.conf). (env: STAMPEDE_REUSE_PORT=1)")
    var reusePort = false
    @Option(name: .customLong("set"), help: "Any server setting by its scenario name, key=value (repeatable), e.g. --set history_limit=50 --set ping_interval=2s. (env: STAMPEDE_SET, comma-separated)")
    var settings: [String] = []
    @Option(name: .customLong("log-level"), help: "Server log level: trace, debug, info, notice, warning, error or critical. (env: STAMPEDE_LOG_LEVEL; default info)")
    var logLevel: Logger.Level?

    /// The flags' own ranges, as usage errors (exit 64, with this usage); environment values are
    /// checked again in `run` once merged.
    func validate() throws {
        for flag in NumericServeFlag.all { try flag.validate(self) }
        var probe = ServerConfiguration()
        do { try probe.apply(settings: settings) } catch { throw ValidationError("\(error)") }
        if tlsCert != nil && tlsKey == nil { throw ValidationError("--tls-cert needs --tls-key (the PEM private key)") }
        if tlsKey != nil && tlsCert == nil { throw ValidationError("--tls-key needs --tls-cert (the PEM certificate chain)") }
    }

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        var c = ServerConfiguration()
        func pick<T>(_ flag: T?, _ name: String, _ parse: (String) -> T?) throws -> T? {
            if let flag { return flag }
            guard let raw = env[name], !raw.isEmpty else { return nil }
            guard let v = parse(raw) else { throw ValidationError("\(name)=\(raw) is not valid") }
            return v
        }
        c.host = try pick(host, "STAMPEDE_HOST", { $0 }) ?? c.host
        for flag in NumericServeFlag.all { try flag.apply(self, env: env, to: &c) }
        c.jwksFile = try pick(jwks, "STAMPEDE_JWKS", { $0 })
        c.audience = try pick(audience, "STAMPEDE_AUDIENCE", { $0 })
        c.tlsCertPath = try pick(tlsCert, "STAMPEDE_TLS_CERT", { $0 })
        c.tlsKeyPath = try pick(tlsKey, "STAMPEDE_TLS_KEY", { $0 })
        try connections.apply(to: &c, env: env)
        let fromEnv = (env["STAMPEDE_SET"] ?? "").split(separator: ",").map(String.init).filter { !$0.isEmpty }
        do { try c.apply(settings: fromEnv + settings) } catch { throw ValidationError("\(error)") }
        for flag in NumericServeFlag.all { try flag.validate(c) }
        var logger = Logger(label: "stampede.server")
        logger.logLevel = try pick(logLevel, "STAMPEDE_LOG_LEVEL", { Logger.Level(rawValue: $0.lowercased()) }) ?? .info
        c.log = ServerLog(logger: logger)
        c.build = BuildInfo(version: StampedeVersion.number, commit: GitCommit.detect())
        c.reusePort = reusePort || ["1", "true", "yes", "on"].contains((env["STAMPEDE_REUSE_PORT"] ?? "").lowercased())
        if (c.tlsCertPath == nil) != (c.tlsKeyPath == nil) {
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        if let cert = c.tlsCertPath, let key = c.tlsKeyPath,
           let problem = FlagChecks.pemProblem("--tls-cert", cert, .certificate) ?? FlagChecks.pemProblem("--tls-key", key, .privateKey) {
            FileHandle.standardError.write(Data("stampede serve: \(problem)\n".utf8))
            throw ExitCode(3)
        }
        if let secret = try pick(jwtSecret, "STAMPEDE_JWT_SECRET", { $0 }) {
            c.jwtSecret = secret
        } else {
            FileHandle.standardError.write(Data("warning: using the default JWT secret \"dev-secret\"; it is for local use only (set --jwt-secret or STAMPEDE_JWT_SECRET)\n".utf8))
        }

        if let url = try pick(postgres, "STAMPEDE_POSTGRES_URL", { $0 }) {
            let node = try await ClusterNode.start(c, postgresURL: url, nodeID: try pick(nodeID, "STAMPEDE_NODE_ID", { $0 }))
            try await ServerService.runUntilSignalled(announcing: "listening on \(node.server.baseURL) (cluster mode, PostgreSQL)",
                                                      logger: c.log.logger) { try await node.shutdown() }
            return
        }
        let server: EmbeddedServer
        do { server = try await EmbeddedServer.start(c) } catch {
            FileHandle.standardError.write(Data("stampede serve: \(FlagChecks.listenProblem(error, host: c.host, port: c.port))\n".utf8))
            throw ExitCode(3)
        }
        try await ServerService.runUntilSignalled(announcing: "listening on \(server.baseURL)", logger: c.log.logger) {
            try await server.shutdown()
        }
    }
}

/// The server as a swift-service-lifecycle service: the `ServiceGroup` traps SIGINT/SIGTERM and
/// triggers the graceful shutdown, which closes every session before the process exits 0.
///
/// The "listening on" line is printed from the service, which the group starts only after it has
/// made its signal sources: printed before (as it was), a SIGINT sent the moment the line appeared
/// could still find the default action and kill the process (`ServeSignalTests` saw exit 2 once).
struct ServerService: Service {
    let announcement: String
    let shutdown: @Sendable () async throws -> Void

    func run() async throws {
        print(announcement)
        fflush(nil)
        try? await gracefulShutdown()
        try await shutdown()
    }

    static func runUntilSignalled(announcing announcement: String, logger: Logger,
                                  _ shutdown: @escaping @Sendable () async throws -> Void) async throws {
        let group = ServiceGroup(configuration: .init(services: [ServerService(announcement: announcement, shutdown: shutdown)],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// `--log-level info`: swift-log's levels by their names.
extension Logger.Level: @retroactive ExpressibleByArgument {}
