import NIOCore
import SocketIOWire

/// What every Engine.IO session shares: configuration, the domain behind the
/// Socket.IO layer, and the sid registry.
final class EngineIOServer: Sendable {
    let configuration: ServerConfiguration
    let domain: any SocketDomain
    let registry = SessionRegistry()

    /// The open packet's text on each side of its sid, serialized once: building and writing
    /// its JSON was 1.7 % of a connect's server CPU (docs/BENCHMARKS.md §19).
    private let openTextWebSocket: (String, String)
    private let openTextPolling: (String, String)

    init(configuration: ServerConfiguration, domain: any SocketDomain) {
        self.configuration = configuration
        self.domain = domain
        func around(_ transport: EngineIOTransport) -> (String, String) {
            // A sid is base64url, which JSON never escapes, so the placeholder's place is the sid's.
            let marker = String(repeating: "S", count: SessionID.length)
            guard case .text(let text) = Self.openPayload(sid: marker, transport: transport, configuration).packet.payload
            else { preconditionFailure("an open packet is text") }
            let r = text.range(of: marker)!
            return (String(text[..<r.lowerBound]), String(text[r.upperBound...]))
        }
        openTextWebSocket = around(.websocket)
        openTextPolling = around(.polling)
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
        Self.openPayload(sid: sid, transport: transport, configuration)
    }

    /// `openPayload(sid:transport:).packet`, from the text serialized at init.
    func openPacket(sid: String, transport: EngineIOTransport) -> EngineIOPacket {
        let (head, tail) = transport == .polling ? openTextPolling : openTextWebSocket
        return EngineIOPacket(.open, head + sid + tail)
    }

    private static func openPayload(sid: String, transport: EngineIOTransport,
                                    _ configuration: ServerConfiguration) -> EngineIOOpenPayload {
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
