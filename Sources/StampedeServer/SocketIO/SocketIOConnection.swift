import NIOCore
import SocketIOWire
import StampedeJSON

/// The Socket.IO v5 layer of one Engine.IO session: namespace `/` only,
/// CONNECT first, decode and validate every packet (a bad one closes the
/// whole connection), reassemble binary events, and hand CONNECT / EVENT /
/// DISCONNECT to the domain. Confined to the session's event loop: not
/// `Sendable`, its timers and the CONNECT decision's callback run through
/// the loop's `assumeIsolated()` view, so the compiler sees no crossing.
final class SocketIOConnection {
    private enum State {
        case idle
        /// The domain is deciding on a CONNECT.
        case connecting
        case joined(DomainSocket, SocketIOOutput)
        case ended
    }

    private unowned let session: EngineIOSession
    private let domain: any SocketDomain
    private var state = State.idle
    private var assembler = BinaryPacketAssembler()
    private var connectTimer: LoopTimers.Handle?
    /// Runs while a binary packet waits for its attachments.
    private var attachmentTimer: LoopTimers.Handle?
    /// Packets that arrived while the domain was deciding on the CONNECT
    /// (a client that does not wait for the reply): replayed once joined.
    private var heldWhileConnecting: [BinaryPacketAssembler.Complete] = []
    private static let maxHeldWhileConnecting = 64

    init(session: EngineIOSession, domain: any SocketDomain) {
        self.session = session
        self.domain = domain
    }

    func start(connectTimeout: TimeAmount) {
        connectTimer = session.timers.schedule(in: connectTimeout) { [self] in
            if case .joined = state { return }
            session.close(.protocolError, notifyPeer: true)
        }
    }

    // MARK: inbound

    /// One Engine.IO message packet.
    func receive(_ packet: EngineIOPacket) {
        do {
            let complete: BinaryPacketAssembler.Complete?
            switch packet.payload {
            case .text(let text):
                complete = try assembler.receive(packet: SocketIOPacket.decode(text))
            case .binary(let bytes):
                complete = try assembler.receive(attachment: bytes)
            }
            if let complete {
                attachmentTimer?.cancel()
                attachmentTimer = nil
                try handle(complete)
            } else if attachmentTimer == nil {
                let timeout = TimeAmount.milliseconds(Int64(session.server.configuration.attachmentTimeoutMs))
                attachmentTimer = session.timers.schedule(in: timeout) { [self] in
                    attachmentTimer = nil
                    session.close(.parseError, notifyPeer: true)
                }
            }
        } catch {
            session.close(.parseError, notifyPeer: true)
        }
    }

    private struct ProtocolViolation: Error {}

    private func handle(_ c: BinaryPacketAssembler.Complete) throws {
        let packet = c.packet
        if packet.type == .connect {
            guard packet.namespace == "/" else {
                session.send(SocketIOPacket.connectError(["message": "Invalid namespace"], namespace: packet.namespace).engineIOPacket)
                return
            }
            guard case .idle = state else { throw ProtocolViolation() }
            connect(auth: packet.data)
            return
        }
        if case .connecting = state, packet.namespace == "/", heldWhileConnecting.count < Self.maxHeldWhileConnecting {
            heldWhileConnecting.append(c)
            return
        }
        // Any other packet needs the namespace joined.
        guard packet.namespace == "/", case .joined(let socket, let output) = state else { throw ProtocolViolation() }
        switch packet.type {
        case .event, .binaryEvent:
            let name: String
            switch packet.data?[0] {
            case .string(let s)?: name = s
            case .int(let i)?: name = String(i)
            case .double(let d)?: name = String(d)
            default: throw ProtocolViolation()
            }
            var args = packet.eventArguments
            if !c.attachments.isEmpty { args = args.map { Self.fillPlaceholders($0, c.attachments) } }
            domain.event(socket, name: name, arguments: args, ackID: packet.ackID)
        case .disconnect:
            state = .idle
            output.detach()
            domain.socketEnded(socket, reason: .clientDisconnect)
        case .ack, .binaryAck:
            break  // the server asks for no acks: unknown ids are ignored
        case .connect, .connectError:
            throw ProtocolViolation()
        }
    }

    private func connect(auth: JSONValue?) {
        state = .connecting
        let h = session.handshake
        let request = ConnectRequest(auth: auth, headers: h.headers, query: h.query,
                                     transport: session.isWebSocket ? .websocket : .polling, remoteAddress: h.remoteAddress)
        let output = SocketIOOutput(session: session)
        if let decision = domain.connectImmediately(request, output: output) { return connected(.success(decision), output: output) }
        domain.connect(request, output: output).hop(to: session.eventLoop).assumeIsolated().whenComplete { [self] result in
            connected(result, output: output)
        }
    }

    private func connected(_ result: Result<ConnectDecision, Error>, output: SocketIOOutput) {
        switch result {
        case .success(.accept(let bound, let sid, let pid)):
            let socket = bound.value
            guard case .connecting = state, !session.isClosed else {
                output.detach()
                domain.socketEnded(socket, reason: .transportLost(recoverable: true))
                return
            }
            state = .joined(socket, output)
            connectTimer?.cancel()
            connectTimer = nil
            var reply: JSONObject = ["sid": .string(sid)]
            if let pid { reply["pid"] = .string(pid) }
            session.send(SocketIOPacket.connect(.object(reply)).engineIOPacket)
            replayHeld()
        case .success(.refuse(let payload)):
            output.detach()
            guard case .connecting = state else { return }
            state = .idle
            session.send(SocketIOPacket.connectError(payload).engineIOPacket)
            replayHeld()
        case .failure:
            output.detach()
            guard case .connecting = state else { return }
            state = .idle
            session.send(SocketIOPacket.connectError(["message": "internal error"]).engineIOPacket)
            replayHeld()
        }
    }

    /// Held packets go through the normal rules now: after a refusal they
    /// are packets for a namespace not joined, which closes the connection.
    private func replayHeld() {
        let held = heldWhileConnecting
        heldWhileConnecting = []
        for c in held {
            guard !session.isClosed else { return }
            do { try handle(c) } catch {
                session.close(.parseError, notifyPeer: true)
                return
            }
        }
    }

    /// Binary attachments have no JSON form: the domain sees each as a
    /// base64 string where its placeholder stood.
    static func fillPlaceholders(_ v: JSONValue, _ attachments: [[UInt8]]) -> JSONValue {
        switch v {
        case .object(let o):
            if o["_placeholder"] == .bool(true), let n = o["num"]?.intValue, n >= 0, Int(n) < attachments.count {
                return .string(Base64.encode(attachments[Int(n)]))
            }
            return .object(JSONObject(o.entries.map { ($0.key, fillPlaceholders($0.value, attachments)) }))
        case .array(let a):
            return .array(a.map { fillPlaceholders($0, attachments) })
        default:
            return v
        }
    }

    // MARK: lifecycle from the session and the domain

    func transportUpgraded() {
        if case .joined(let socket, _) = state { domain.transportUpgraded(socket) }
    }

    /// The domain disconnects the socket: `41`, then the session closes.
    func serverDisconnect(_ cause: ServerDisconnectCause) {
        guard case .joined = state else { return }
        session.send(SocketIOPacket.disconnect().engineIOPacket)
        session.close(.server(cause), notifyPeer: true)
    }

    func engineClosed(_ cause: EngineIOSessionStateMachine.CloseCause) {
        connectTimer?.cancel()
        connectTimer = nil
        attachmentTimer?.cancel()
        attachmentTimer = nil
        let previous = state
        state = .ended
        guard case .joined(let socket, let output) = previous else { return }
        output.detach()
        domain.socketEnded(socket, reason: Self.endReason(cause))
    }

    static func endReason(_ cause: EngineIOSessionStateMachine.CloseCause) -> SocketEndReason {
        switch cause {
        // Only a Socket.IO DISCONNECT (`41`) is deliberate; an Engine.IO close
        // (`1` over polling) is a transport close, as in the reference.
        case .transportClosed, .transportError, .pingTimeout, .shutdown, .clientClose: return .transportLost(recoverable: true)
        case .parseError, .protocolError, .pollOverlap: return .serverDisconnect(.protocolError)
        case .server(let c): return .serverDisconnect(c)
        }
    }
}
