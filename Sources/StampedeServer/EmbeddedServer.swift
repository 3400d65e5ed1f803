import NIOCore
import NIOPosix
import NIOSSL

/// The whole server in-process: the CLI's `serve`, the load generator's
/// embedded target and every integration test start it the same way.
public final class EmbeddedServer: Sendable {
    /// The real bound port (useful with `port = 0`).
    public let port: Int
    /// `http://HOST:PORT`, `https` with TLS.
    public let baseURL: String
    public let configuration: ServerConfiguration
    public let eventLoopGroup: EventLoopGroup
    private let ownsGroup: Bool
    private let listener: SocketListener
    private let engine: EngineIOServer
    /// Every open connection (internal for the tests that look at a connection's pipeline).
    let tracker: ConnectionTracker
    private let domain: any SocketDomain & APIHandler

    /// Starts the real server: the workflow domain (`Hub`) behind the
    /// protocol layers. The JWKS file (if any) is loaded before listening.
    public static func start(_ configuration: ServerConfiguration) async throws -> EmbeddedServer {
        try await start(configuration, eventLoopGroup: nil) { c, group in
            let hub = try Hub(configuration: c, eventLoopGroup: group)
            try await hub.ready()
            return hub
        }
    }

    /// Starts with a domain built by `makeDomain` (tests pass their own;
    /// `start(_:)` builds the real `Hub`). With no `eventLoopGroup` the
    /// server owns one sized by `configuration.eventLoopThreads`.
    public static func start(
        _ configuration: ServerConfiguration,
        eventLoopGroup: EventLoopGroup? = nil,
        domain makeDomain: (ServerConfiguration, EventLoopGroup) async throws -> any SocketDomain & APIHandler
    ) async throws -> EmbeddedServer {
        let threads = configuration.eventLoopThreads > 0 ? configuration.eventLoopThreads : System.coreCount
        let group = eventLoopGroup ?? MultiThreadedEventLoopGroup(numberOfThreads: threads)
        do {
            let tls: NIOSSLContext? = try configuration.tlsCertPath.flatMap { cert in
                guard let key = configuration.tlsKeyPath else { return nil }
                return try TLSSetup.context(certPath: cert, keyPath: key)
            }
            let domain = try await makeDomain(configuration, group)
            let engine = EngineIOServer(configuration: configuration, domain: domain)
            let tracker = ConnectionTracker()
            let listener = try HTTPServerBootstrapper.bind(server: engine, api: domain, group: group, tls: tls, tracker: tracker)
            return EmbeddedServer(configuration: configuration, group: group, ownsGroup: eventLoopGroup == nil,
                                  listener: listener, engine: engine, tracker: tracker, domain: domain)
        } catch {
            if eventLoopGroup == nil { try? await group.shutdownGracefully() }
            throw error
        }
    }

    private init(configuration: ServerConfiguration, group: EventLoopGroup, ownsGroup: Bool,
                 listener: SocketListener, engine: EngineIOServer, tracker: ConnectionTracker, domain: any SocketDomain & APIHandler) {
        self.domain = domain
        self.configuration = configuration
        self.eventLoopGroup = group
        self.ownsGroup = ownsGroup
        self.listener = listener
        self.engine = engine
        self.tracker = tracker
        self.port = listener.port
        let scheme = configuration.usesTLS ? "https" : "http"
        var host = configuration.host
        if host.contains(":") { host = "[\(host)]" }
        self.baseURL = "\(scheme)://\(host):\(port)"
    }

    /// Live Engine.IO sessions (diagnostics and tests).
    public var sessionCount: Int { engine.registry.count }

    /// The long-poll requests session `sid` holds unanswered, read on the session's loop;
    /// nil when there is no such session. Tests wait on this before acting on a held
    /// request (a second GET, a close) instead of sleeping and hoping it arrived.
    public func heldPollingRequests(sid: String) async -> HeldPollingRequests? {
        guard let s = engine.registry.session(sid) else { return nil }
        return try? await s.eventLoop.submit { s.heldPollingRequests }.get()
    }

    /// Graceful: stop accepting, send every Engine.IO session its close
    /// packet, give polling clients a moment to collect it, cut whatever is
    /// left, all within `shutdownGraceSeconds` (5 s).
    public func shutdown() async throws {
        let start = NIODeadline.now()
        listener.close()
        let loop = eventLoopGroup.next()
        try? await engine.closeAllSessions(on: loop).get()
        // Polling clients between two GETs pick up their `1` on the next one;
        // wait for them a little (at most closeLingerMs, 1 s, and the grace).
        let lingerMs = min(Int64(configuration.closeLingerMs), 1_000, Int64(configuration.shutdownGraceSeconds * 1000))
        let lingerDeadline = start + .milliseconds(lingerMs)
        while engine.registry.count > 0, NIODeadline.now() < lingerDeadline {
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        try? await tracker.closeAll(on: loop).get()
        (domain as? Hub)?.stop()
        if ownsGroup { try await eventLoopGroup.shutdownGracefully() }
    }
}

/// What a polling session holds unanswered: a GET waiting for packets, a POST whose
/// body is still arriving.
public struct HeldPollingRequests: Sendable, Equatable {
    public var get: Bool
    public var post: Bool
}
