/// Every knob of the server. Defaults are the PROTOCOL.md / SOCKETIO.md
/// defaults so that `ServerConfiguration()` is a conforming server and tests
/// only change what they exercise.
public struct ServerConfiguration: Sendable {
    // Listening
    public var host = "127.0.0.1"
    /// 0 picks a free port; `EmbeddedServer.port` tells which.
    public var port = 8080
    /// SO_REUSEPORT: several nodes on one machine share the port (the
    /// kernel spreads new connections over them).
    public var reusePort = false
    /// Event loops for connections; 0 means one per core.
    public var eventLoopThreads = 0

    // Authentication
    public var jwtSecret = "dev-secret"
    public var jwksFile: String? = nil
    public var audience: String? = nil
    public var leewaySeconds = 5.0

    // Engine.IO
    /// Where Engine.IO is served (the reference's `path`), with its
    /// trailing slash.
    public var enginePath = "/socket.io/"
    public var pingIntervalMs = 25_000
    public var pingTimeoutMs = 20_000
    public var maxPayload = 1_000_000
    /// How long a WebSocket probe may wait for `5` before it is closed.
    public var upgradeTimeoutMs = 10_000
    /// How long a polling session that the server closed keeps its `1`
    /// for a client that has no GET pending.
    public var closeLingerMs = 2_000

    // Socket.IO
    /// An Engine.IO session that joins no namespace within this is closed.
    public var connectTimeoutMs = 45_000
    /// A binary packet whose attachments have not all arrived within this
    /// closes the connection (a partial packet holds memory).
    public var attachmentTimeoutMs = 10_000
    /// Connection state recovery (the reference's `connectionStateRecovery`):
    /// off means no `pid`, no offsets on events, no restored sessions.
    public var connectionStateRecovery = true

    // Workflows
    public var stepDelayMs = 200
    public var maxConnectionsPerUser = 20
    public var historyLimit = 1000
    public var terminalRetentionSeconds = 600.0
    public var maxDisconnectionDurationMs = 120_000
    public var maxSubscriptionsPerSocket = 100
    /// Events one publish request may carry (413 past it).
    public var maxEventsPerPublish = 100
    /// A workflow that never reaches a terminal status is dropped once
    /// nobody has published to or watched it for this long.
    public var idleWorkflowRetentionSeconds = 3600.0
    /// Cluster mode: the most publishes one transaction takes (1: one each).
    public var clusterPublishBatch = 64

    // Limits
    /// Unsent bytes a socket may accumulate before it is disconnected as a
    /// slow consumer (PROTOCOL §5.6).
    public var outboundQueueLimit = 1 << 20
    /// Body limit for HTTP API requests (413 past it).
    public var maxRequestBody = 1 << 20
    public var socketEventsPerSecond = 10.0
    public var socketEventBurst = 20.0
    public var rateLimitAbuseRefusals = 50
    public var rateLimitAbuseWindowSeconds = 10.0
    public var workflowCreatesPerSecond = 5.0
    public var workflowCreateBurst = 10.0
    /// A connection whose unsent output stays past its bound (it is not
    /// read meanwhile) is closed after this.
    public var writeStallTimeoutMs = 10_000

    // HTTP connections
    /// From the first byte of a request to the end of its headers.
    public var headerTimeoutMs = 10_000
    /// A keep-alive connection with no request in progress.
    public var idleTimeoutMs = 60_000
    /// A request body that makes no progress for this long.
    public var bodyTimeoutMs = 10_000
    /// Header bytes a request may carry (431 past it).
    public var maxHeaderBytes = 16_384

    // CORS
    /// Origins allowed to call from a browser page (`*` for any); empty:
    /// no CORS headers at all (same-origin only).
    public var corsOrigins: [String] = []
    /// `Access-Control-Allow-Credentials: true` (the origin is echoed,
    /// never `*`).
    public var corsCredentials = false

    /// When true the stats route needs an `admin` (or `service`) token.
    public var protectStats = false

    // TLS
    public var tlsCertPath: String? = nil
    public var tlsKeyPath: String? = nil

    /// Upper bound on graceful shutdown before connections are cut.
    public var shutdownGraceSeconds = 5.0

    /// Where the server logs (throttled per kind; `serve --log-level` sets its level).
    public var log = ServerLog()

    /// What `stampede_build_info` reports; the CLI fills it in (this module
    /// does not know the release number or the checkout).
    public var build = BuildInfo()

    public init() {}

    public var usesTLS: Bool { tlsCertPath != nil && tlsKeyPath != nil }
}

/// The labels of `stampede_build_info`.
public struct BuildInfo: Sendable, Equatable {
    public var version: String
    /// The git commit the binary was built from, when known.
    public var commit: String?

    public init(version: String = "unknown", commit: String? = nil) {
        self.version = version
        self.commit = commit
    }
}
