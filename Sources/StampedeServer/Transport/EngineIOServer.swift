import NIOCore
import SocketIOWire

/// What every Engine.IO session shares: configuration, the domain behind the
/// Socket.IO layer, and the sid registry.
final class EngineIOServer: Sendable {
    let configuration: ServerConfiguration
    let domain: any SocketDomain
    let registry = SessionRegistry()

    init(configuration: ServerConfiguration, domain: any SocketDomain) {
        self.configuration = configuration
        self.domain = domain
    }

    /// What the handshake request said, kept for the Socket.IO CONNECT.
    struct Handshake: Sendable {
        var headers: [String: String]
        var query: [String: String]
        var transport: EngineIOTransport
        var remoteAddress: String?
    }

    /// Creates and registers a session living on `eventLoop`. Call on that loop.
    func openSession(on eventLoop: EventLoop, handshake: Handshake) -> EngineIOSession {
        let s = EngineIOSession(sid: SessionID.make(), eventLoop: eventLoop, server: self, handshake: handshake)
        registry.add(s)
        return s
    }

    func openPayload(sid: String, transport: EngineIOTransport) -> EngineIOOpenPayload {
        EngineIOOpenPayload(sid: sid, upgrades: transport == .polling ? ["websocket"] : [],
                            pingInterval: configuration.pingIntervalMs, pingTimeout: configuration.pingTimeoutMs,
                            maxPayload: configuration.maxPayload)
    }

    /// Graceful shutdown: every session gets a close packet. Completes when
    /// each session has done so (polling sessions without a pending GET keep
    /// their `1` for the next GET for `closeLingerMs`).
    func closeAllSessions(on loop: EventLoop) -> EventLoopFuture<Void> {
        let futures = registry.all.map { s in
            s.eventLoop.submit { s.close(.shutdown, notifyPeer: true) }
        }
        return EventLoopFuture.andAllComplete(futures, on: loop)
    }
}
