import NIOCore
import StampedeAuth

/// What the domain is built from: the server's configuration — the one place a setting and its
/// default live — plus the collaborators a deployment plugs in (search, cluster journal,
/// presence, shared sessions). The domain reads settings through the views below, in its own
/// units; a new setting is a `ServerConfiguration` field, with a view here only if the domain
/// wants it in other terms.
public struct HubSettings: Sendable {
    public var server: ServerConfiguration {
        didSet { limits = DomainLimits(server) }
    }
    /// Derived from `server` whenever it changes, so the per-connect and per-request reads are a
    /// field load, not a conversion.
    public private(set) var limits: DomainLimits
    public var searchProvider: any SearchProvider = OfflineSearchProvider()
    /// Cluster mode: the shared journal (nil: this process is the whole truth).
    public var journal: (any WorkflowJournal)?
    /// Cluster mode: the heartbeat table behind cluster-wide stats and the
    /// cluster-wide per-user cap.
    public var presence: (any ClusterPresence)?
    /// Cluster mode: recovery sessions in the database (any node recovers them).
    public var sharedSessions: (any SharedSessions)?

    public init(_ server: ServerConfiguration) {
        self.server = server
        limits = DomainLimits(server)
    }
}

extension HubSettings {
    public var verifier: TokenVerifierConfiguration {
        TokenVerifierConfiguration(secret: server.jwtSecret, jwksFile: server.jwksFile, audience: server.audience,
                                   leewaySeconds: server.leewaySeconds)
    }
    public var maxConnectionsPerUser: Int { server.maxConnectionsPerUser }
    public var historyLimit: Int { server.historyLimit }
    public var terminalRetention: TimeAmount { .milliseconds(Int64(server.terminalRetentionSeconds * 1000)) }
    public var idleRetention: TimeAmount { .milliseconds(Int64(server.idleWorkflowRetentionSeconds * 1000)) }
    public var maxDisconnectionDuration: TimeAmount { .milliseconds(Int64(server.maxDisconnectionDurationMs)) }
    public var stepDelay: TimeAmount { .milliseconds(Int64(server.stepDelayMs)) }
    /// The structured, throttled log the domain writes refusals and slow consumers to.
    public var log: ServerLog { server.log }
    /// Where the Engine.IO endpoint is served (`--path`), for the pages' client.
    public var enginePath: String { server.enginePath }
    /// `stampede_build_info`'s labels.
    public var build: BuildInfo { server.build }
}

extension Hub {
    public convenience init(configuration: ServerConfiguration, eventLoopGroup: EventLoopGroup) throws {
        try self.init(settings: HubSettings(configuration), eventLoopGroup: eventLoopGroup)
    }
}
