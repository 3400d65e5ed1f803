import NIOCore
import StampedeAuth

/// Everything the domain needs from the server configuration, in the
/// domain's own terms.
public struct HubSettings: Sendable {
    public var verifier: TokenVerifierConfiguration
    public var maxConnectionsPerUser = 20
    public var historyLimit = 1000
    public var terminalRetention: TimeAmount = .seconds(600)
    public var idleRetention: TimeAmount = .hours(1)
    public var maxDisconnectionDuration: TimeAmount = .seconds(120)
    public var stepDelay: TimeAmount = .milliseconds(200)
    public var limits = DomainLimits()
    public var searchProvider: any SearchProvider = OfflineSearchProvider()
    /// Cluster mode: the shared journal (nil: this process is the whole truth).
    public var journal: (any WorkflowJournal)?
    /// Cluster mode: the heartbeat table behind cluster-wide stats and the
    /// cluster-wide per-user cap.
    public var presence: (any ClusterPresence)?
    /// Cluster mode: recovery sessions in the database (any node recovers them).
    public var sharedSessions: (any SharedSessions)?
    /// The structured, throttled log the domain writes refusals and slow consumers to.
    public var log = ServerLog()
    /// Where the Engine.IO endpoint is served (`--path`), for the pages' client.
    public var enginePath = "/socket.io/"
    /// `stampede_build_info`'s labels.
    public var build = BuildInfo()

    public init(verifier: TokenVerifierConfiguration) { self.verifier = verifier }
}

extension HubSettings {
    /// The domain's view of the server's knobs.
    public init(_ c: ServerConfiguration) {
        self.init(verifier: TokenVerifierConfiguration(secret: c.jwtSecret, jwksFile: c.jwksFile, audience: c.audience,
                                                       leewaySeconds: c.leewaySeconds))
        maxConnectionsPerUser = c.maxConnectionsPerUser
        historyLimit = c.historyLimit
        terminalRetention = .milliseconds(Int64(c.terminalRetentionSeconds * 1000))
        maxDisconnectionDuration = .milliseconds(Int64(c.maxDisconnectionDurationMs))
        stepDelay = .milliseconds(Int64(c.stepDelayMs))
        enginePath = c.enginePath
        build = c.build
        limits.maxSubscriptionsPerSocket = c.maxSubscriptionsPerSocket
        limits.socketEventsPerSecond = c.socketEventsPerSecond
        limits.socketEventBurst = c.socketEventBurst
        limits.refusalsBeforeDisconnect = c.rateLimitAbuseRefusals
        limits.refusalWindowSeconds = Int(c.rateLimitAbuseWindowSeconds)
        limits.workflowCreatesPerSecond = c.workflowCreatesPerSecond
        limits.workflowCreateBurst = c.workflowCreateBurst
        limits.statsRequireAdmin = c.protectStats
        limits.connectionStateRecovery = c.connectionStateRecovery
        limits.outboundQueueLimit = c.outboundQueueLimit
        idleRetention = .milliseconds(Int64(c.idleWorkflowRetentionSeconds * 1000))
        log = c.log
    }
}

extension Hub {
    public convenience init(configuration: ServerConfiguration, eventLoopGroup: EventLoopGroup) throws {
        try self.init(settings: HubSettings(configuration), eventLoopGroup: eventLoopGroup)
    }
}
