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
    /// Extra Engine.IO pings every 300 ms on top of the transport's own (pingInterval 1 s).
    case earlyPings
    /// A resubscribe with `since`, or a connect with a recovery `pid`, loses the first two events that follow it.
    case loseAfterResubscribe
    /// The stats keep counting one connection that never closes.
    case phantomConnection
    /// One token bucket for the whole server instead of one per socket: a spammer starves everyone.
    case sharedRateLimit
    /// The stats endpoint answers after 2.5 s (an overloaded server).
    case slowStats
}

/// Stampede's real domain (`Hub`) behind a wrapper that breaks one guarantee on purpose.
final class FaultyDomain: SocketDomain, APIHandler, @unchecked Sendable {
    let hub: Hub
    let fault: Fault
    let minter: TokenMinter
    let outputs = NIOLockedValueBox<[FaultyOutput]>([])
    /// Accepted sockets' outputs, so client requests can reach the output of their socket.
    let bySocket = NIOLockedValueBox<[ObjectIdentifier: FaultyOutput]>([:])
    let everConnected = NIOLockedValueBox(false)
    let sharedBucket = NIOLockedValueBox(SharedBucket())

    init(hub: Hub, fault: Fault, secret: String) {
        self.hub = hub
        self.fault = fault
        minter = TokenMinter(secret: secret)
    }

    static func start(_ fault: Fault, tweak: (inout ServerConfiguration) -> Void = { _ in }) async throws -> EmbeddedServer {
        return try await EmbeddedServer.start(EndToEndTests.configuration(tweak)) { config, group in
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
        if fault == .loseAfterResubscribe, request.auth?["pid"] != nil {
            // Connection state recovery: the replay written during connect loses its first two events.
            wrapped.dropNext = 2
        }
        outputs.withLockedValue { $0.append(wrapped) }
        return hub.connect(request, output: wrapped).map { [self] decision in
            if case .accept(let socket, _, _) = decision {
                bySocket.withLockedValue { $0[ObjectIdentifier(socket.value)] = wrapped }
                everConnected.withLockedValue { $0 = true }
                if fault == .earlyPings { wrapped.startEarlyPings() }
            }
            return decision
        }
    }

    func event(_ socket: DomainSocket, name: String, arguments: [JSONValue], ackID: UInt64?) {
        let output = bySocket.withLockedValue { $0[ObjectIdentifier(socket)] }
        if fault == .loseAfterResubscribe, name == "subscribe", arguments.first?["since"]?.intValue != nil {
            output?.dropNext = 2
        }
        if fault == .sharedRateLimit, let output, !sharedBucket.withLockedValue({ $0.take(now: .now()) }) {
            let refusal = Replies.refused(.rateLimited, "server-wide bucket empty", retryAfterMs: 100)
            output.send(ackID.map { .ack($0, [refusal]) } ?? .event("error", [Replies.errorEvent(.rateLimited, "server-wide bucket empty")]))
            return
        }
        hub.event(socket, name: name, arguments: arguments, ackID: ackID)
    }

    func transportUpgraded(_ socket: DomainSocket) { hub.transportUpgraded(socket) }

    func socketEnded(_ socket: DomainSocket, reason: SocketEndReason) {
        bySocket.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(socket)) }?.stopEarlyPings()
        hub.socketEnded(socket, reason: reason)
    }

    func handle(_ request: APIRequest) async -> APIResponse {
        if fault == .slowStats, request.path == "/api/v1/websocket/stats" {
            try? await Task.sleep(nanoseconds: 2_500_000_000)
        }
        let r = await hub.handle(request)
        guard fault == .miscountStats || fault == .phantomConnection, request.path == "/api/v1/websocket/stats",
              var o = (try? JSONParser.parse(r.body))?.objectValue else { return r }
        let connections = o["total_connections"]?.intValue ?? 0
        if fault == .miscountStats {
            // Counts every socket twice (e.g. once per transport it ever used).
            o["total_connections"] = .int(connections * 2)
        } else if everConnected.withLockedValue({ $0 }) {
            // A socket whose close was never accounted for.
            o["total_connections"] = .int(connections + 1)
        }
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
    /// Event frames still to swallow (loseAfterResubscribe); touched on `eventLoop` only.
    var dropNext = 0
    var pinger: RepeatedTask?

    init(inner: SocketOutput, domain: FaultyDomain) {
        self.inner = inner
        self.domain = domain
    }

    func write(frame: ByteBuffer) {
        if dropNext > 0 { dropNext -= 1; return }
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

    /// Pings the transport never scheduled: the client sees them far earlier than pingInterval.
    func startEarlyPings() {
        let ping = WebSocketFraming.serverTextFrame("2")
        pinger = eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(300), delay: .milliseconds(300)) { [inner] _ in
            inner.write(frame: ping)
            inner.flush()
        }
    }

    func stopEarlyPings() {
        eventLoop.execute { [self] in pinger?.cancel(); pinger = nil }
    }

    func flush() { inner.flush() }
    func send(_ packet: SocketIOPacket) { inner.send(packet) }
    func disconnect(_ cause: ServerDisconnectCause) { inner.disconnect(cause) }
}

/// The server-wide bucket of `.sharedRateLimit`: 20 requests of burst, 10 a second after that.
struct SharedBucket {
    var tokens = 20.0
    var last = NIODeadline.now()

    mutating func take(now: NIODeadline) -> Bool {
        tokens = min(20, tokens + Double((now - last).nanoseconds) / 1e9 * 10)
        last = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
