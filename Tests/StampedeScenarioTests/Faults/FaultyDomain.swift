import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SocketIOWire
import StampedeAuth
import StampedeContract
import StampedeJSON
import StampedeServer

/// The ways a deliberately broken server misbehaves — each one must make exactly the check
/// that guards against it fail.
enum Fault: Sendable {
    case reorder, drop, duplicate, leakAcrossWorkflows, emitAfterTerminal, miscountStats, skipOwnership
}

/// Stampede's real domain (`Hub`) behind a wrapper that breaks one guarantee on purpose.
final class FaultyDomain: SocketDomain, APIHandler, @unchecked Sendable {
    let hub: Hub
    let fault: Fault
    let minter: TokenMinter
    let outputs = NIOLockedValueBox<[FaultyOutput]>([])

    init(hub: Hub, fault: Fault, secret: String) {
        self.hub = hub
        self.fault = fault
        minter = TokenMinter(secret: secret)
    }

    static func start(_ fault: Fault, tweak: (inout ServerConfiguration) -> Void = { _ in }) async throws -> EmbeddedServer {
        var c = ServerConfiguration()
        c.port = 0
        c.pingIntervalMs = 1000
        c.pingTimeoutMs = 1000
        c.stepDelayMs = 20
        tweak(&c)
        return try await EmbeddedServer.start(c) { config, group in
            let hub = try Hub(configuration: config, eventLoopGroup: group)
            try await hub.ready()
            return FaultyDomain(hub: hub, fault: fault, secret: config.jwtSecret)
        }
    }

    func connect(_ request: ConnectRequest, output: SocketOutput) -> EventLoopFuture<ConnectDecision> {
        var request = request
        if fault == .skipOwnership, let token = request.auth?["token"]?.stringValue, let sub = Self.subject(of: token),
           let service = try? minter.mint(user: sub, role: .service) {
            // Every user quietly gets the service role: ownership is never checked.
            request.auth = ["token": .string(service)]
        }
        let wrapped = FaultyOutput(inner: output, domain: self)
        outputs.withLockedValue { $0.append(wrapped) }
        return hub.connect(request, output: wrapped)
    }

    func event(_ socket: DomainSocket, name: String, arguments: [JSONValue], ackID: UInt64?) {
        hub.event(socket, name: name, arguments: arguments, ackID: ackID)
    }

    func transportUpgraded(_ socket: DomainSocket) { hub.transportUpgraded(socket) }
    func socketEnded(_ socket: DomainSocket, reason: SocketEndReason) { hub.socketEnded(socket, reason: reason) }

    func handle(_ request: APIRequest) async -> APIResponse {
        let r = await hub.handle(request)
        guard fault == .miscountStats, request.path == "/api/v1/websocket/stats", var o = (try? JSONParser.parse(r.body))?.objectValue else { return r }
        // Counts every socket twice (e.g. once per transport it ever used).
        o["total_connections"] = .int((o["total_connections"]?.intValue ?? 0) * 2)
        return .json(r.status, .object(o))
    }

    static func subject(of token: String) -> String? {
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { return nil }
        var b = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b.count % 4 != 0 { b += "=" }
        guard let data = Data(base64Encoded: b), let json = try? JSONParser.parse(Array(data)) else { return nil }
        return json["sub"]?.stringValue
    }
}

/// Wraps one socket's output and tampers with its event frames.
final class FaultyOutput: SocketOutput, @unchecked Sendable {
    let inner: SocketOutput
    weak var domain: FaultyDomain?
    var eventLoop: EventLoop { inner.eventLoop }
    var frames = 0
    var held: ByteBuffer?

    init(inner: SocketOutput, domain: FaultyDomain) {
        self.inner = inner
        self.domain = domain
    }

    func write(frame: ByteBuffer) {
        frames += 1
        let nth = frames % 5 == 0
        switch domain?.fault {
        case .drop where nth:
            return
        case .duplicate where nth:
            inner.write(frame: frame)
        case .reorder:
            if held == nil && nth { held = frame; return }
            inner.write(frame: frame)
            if let h = held { held = nil; inner.write(frame: h) }
            return
        case .leakAcrossWorkflows where nth:
            if let other = domain?.outputs.withLockedValue({ list in list.first { $0 !== self } }) {
                other.eventLoop.execute { other.inner.write(frame: frame); other.inner.flush() }
            }
        case .emitAfterTerminal:
            inner.write(frame: frame)
            let text = String(buffer: WebSocketFraming.payload(ofServerFrame: frame))
            if text.contains("\"workflow_status\"") && text.contains("\"completed\"") {
                let extra = text.replacingOccurrences(of: "\"workflow_status\"", with: "\"node_update\"")
                inner.write(frame: WebSocketFraming.serverTextFrame(extra))
            }
            return
        default:
            break
        }
        inner.write(frame: frame)
    }

    func flush() { inner.flush() }
    func send(_ packet: SocketIOPacket) { inner.send(packet) }
    func disconnect(_ cause: ServerDisconnectCause) { inner.disconnect(cause) }
}
