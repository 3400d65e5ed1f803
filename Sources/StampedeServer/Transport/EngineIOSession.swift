import NIOCore
import SocketIOWire

/// One Engine.IO session: the state machine plus its timers, its transports
/// (a WebSocket, or long-poll requests and their outbox) and the Socket.IO
/// layer on top. Confined to `eventLoop`: every method runs there.
///
/// Unchecked `Sendable` because it is found by sid from any connection's
/// loop (a long-poll request or a WebSocket upgrade lands wherever it was
/// accepted: `SessionRegistry`, `HTTPRouterHandler`, `EngineIOWebSocketHandler`),
/// and those callers hop to `eventLoop` before calling in (`close`, `start`
/// assert it). What is left to make the compiler check those hops: the
/// registry handing out a Sendable handle (sid, loop, `NIOLoopBound` of the
/// session) and the router's poll states holding that handle — eight hop
/// sites, not yet done.
final class EngineIOSession: @unchecked Sendable {
    let sid: String
    let eventLoop: EventLoop
    let server: EngineIOServer
    let handshake: EngineIOServer.Handshake
    private var config: ServerConfiguration { server.configuration }
    /// The reference's `checkIntervalTimer` during an upgrade.
    static let upgradeCheckInterval: TimeAmount = .milliseconds(100)

    private var machine: EngineIOSessionStateMachine
    private var webSocket: WebSocketLink?
    private var probe: WebSocketLink?
    private var pendingGET: HTTPResponder?
    private var outbox = PollingOutbox()
    /// A polling session the server closed while no GET was pending keeps
    /// its close packet for the next GET.
    private var lingeringClose = false
    private var pingTimer: LoopTimers.Handle?
    private var pongTimer: LoopTimers.Handle?
    private var upgradeTimer: LoopTimers.Handle?
    private var lingerTimer: LoopTimers.Handle?
    /// This loop's timer table (the Socket.IO layer's timers use it too): cancelling costs O(1),
    /// not a scan of every connection's timers.
    lazy var timers = LoopTimers.on(eventLoop)
    /// POSTs already answered (rejected) when their head arrived: their
    /// end must not answer again.
    private var answeredPOSTs: Set<UInt64> = []
    private(set) var socketIO: SocketIOConnection!
    /// Run on `eventLoop` (they hold the domain's loop-confined sockets).
    private var writableWaiters: [() -> Void] = []
    /// Why the session closed, for requests that raced the close.
    private var closedBy: EngineIOSessionStateMachine.CloseCause?

    init(sid: String, eventLoop: EventLoop, server: EngineIOServer, handshake: EngineIOServer.Handshake) {
        self.sid = sid
        self.eventLoop = eventLoop
        self.server = server
        self.handshake = handshake
        self.machine = EngineIOSessionStateMachine(startedOn: handshake.transport)
        self.socketIO = SocketIOConnection(session: self, domain: server.domain)
    }

    var isClosed: Bool { machine.isClosed }
    /// The long-poll requests held unanswered right now (see `EmbeddedServer.heldPollingRequests`).
    var heldPollingRequests: HeldPollingRequests { HeldPollingRequests(get: pendingGET != nil, post: machine.pendingPOST != nil) }
    var isWebSocket: Bool { machine.isWebSocket }
    var openPacket: EngineIOPacket { server.openPacket(sid: sid, transport: handshake.transport) }

    /// Starts the heartbeat and the Socket.IO connect timeout; for a
    /// WebSocket session `link` is its transport and gets the open packet.
    func start(webSocket link: WebSocketLink?) {
        eventLoop.preconditionInEventLoop()
        if let link {
            webSocket = link
            link.writeAndFlush(WebSocketFraming.serverFrame(openPacket))
        }
        schedulePing()
        socketIO.start(connectTimeout: .milliseconds(Int64(config.connectTimeoutMs)))
    }

    // MARK: heartbeat

    private func schedulePing() {
        pingTimer = timers.schedule(in: .milliseconds(Int64(config.pingIntervalMs))) { [self] in
            guard machine.pingDue() else { return }
            send(.ping)
            pongTimer = timers.schedule(in: .milliseconds(Int64(config.pingTimeoutMs))) { [self] in
                if machine.pongDeadlinePassed() { close(.pingTimeout, notifyPeer: false) }
            }
        }
    }

    // MARK: inbound

    /// A packet from the active transport (WebSocket frame or POST record).
    func received(_ packet: EngineIOPacket) {
        switch machine.received(packet) {
        case .none: break
        case .deliver: socketIO.receive(packet)
        case .pongReceived:
            pongTimer?.cancel()
            pongTimer = nil
            schedulePing()
        case .close(let cause): close(cause, notifyPeer: false)
        }
    }

    // MARK: outbound (called by the Socket.IO layer and the domain's output)

    /// Appends one pre-framed server WebSocket frame; no flush. Past the
    /// outbound bound the session closes as a slow consumer — unless the
    /// write is `paced` (a replay that waits for `canWrite`) or a reply of
    /// its own (acks are bounded by the rate limit, the rest by the stall
    /// timeout).
    func write(frame: ByteBuffer, paced: Bool = false) {
        switch machine.transport {
        case .websocket:
            guard let ws = webSocket else { return }
            _ = write(frame, to: ws, paced: paced)
        case .polling:
            outbox.append(WebSocketFraming.payload(ofServerFrame: frame))
            if !paced, outbox.byteCount > config.outboundQueueLimit { close(.server(.slowConsumer), notifyPeer: false) }
        case .closed:
            break
        }
    }

    /// `write(frame:)` then `flush()`: over a WebSocket, one call down to the link (the fan-out's
    /// inline flush, per socket per event), which sends it straight to the socket when it can.
    /// The bound is checked after the flush: what the socket took at once is not unsent output.
    func writeAndFlush(frame: ByteBuffer) {
        guard case .websocket = machine.transport, let ws = webSocket else {
            write(frame: frame)
            flush()
            return
        }
        if !ws.writeAndFlush(frame), !ws.isWritable { close(.server(.slowConsumer), notifyPeer: false) }
    }

    /// The WebSocket write and its bound; false when the write closed the session.
    private func write(_ frame: ByteBuffer, to ws: WebSocketLink, paced: Bool) -> Bool {
        ws.write(frame)
        guard paced || ws.isWritable else {
            close(.server(.slowConsumer), notifyPeer: false)
            return false
        }
        return true
    }

    /// Below the bound with room to spare (polling: half of it, so a GET
    /// answer stays near the bound).
    var canWrite: Bool {
        switch machine.transport {
        case .websocket: return webSocket?.isWritable ?? false
        case .polling: return outbox.byteCount < config.outboundQueueLimit / 2
        case .closed: return false
        }
    }

    /// Runs `body` once the transport has drained (WebSocket writability,
    /// a GET that took the outbox, the upgrade); dropped if it closes.
    func whenWritable(_ body: @escaping () -> Void) {
        writableWaiters.append(body)
        // A WebSocket on another loop may have drained in between.
        if canWrite { eventLoop.execute { [self] in wakeWritableWaiters() } }
    }

    /// The WebSocket transport's writability changed.
    func webSocketWritabilityChanged(_ link: WebSocketLink) {
        if link === webSocket, link.isWritable { wakeWritableWaiters() }
    }

    private func wakeWritableWaiters() {
        guard !writableWaiters.isEmpty, canWrite else { return }
        let waiters = writableWaiters
        writableWaiters = []
        for w in waiters { w() }
    }

    func flush() {
        switch machine.transport {
        case .websocket: webSocket?.flush()
        case .polling: answerPendingGETIfQueued()
        case .closed: break
        }
    }

    /// One packet for this session alone, flushed.
    func send(_ packet: EngineIOPacket) {
        write(frame: WebSocketFraming.serverFrame(packet), paced: true)
        flush()
    }

    private func answerPendingGETIfQueued() {
        guard !outbox.isEmpty, machine.transport == .polling(.none) || machine.transport == .polling(.awaitingProbePing),
              let responder = pendingGET else { return }
        pendingGET = nil
        _ = machine.pollGETAnswered()
        responder.respond(pollingPayload: outbox.drainPayload(allocator: responder.channel.allocator))
        wakeWritableWaiters()
    }

    // MARK: long-polling

    func pollGET(id: UInt64, responder: HTTPResponder) {
        if let cause = closedBy, !lingeringClose {
            // Routed while the session was open, it reached the session's loop
            // after the close (a GET sent together with the POST carrying `1`,
            // on another connection and loop): answered as it would have been
            // had it come first and been pending. A GET sent after the close
            // finds no session and gets 400.
            responder.respond(pollingPacket: cause == .clientClose ? .noop : .close)
            return
        }
        if lingeringClose {
            lingeringClose = false
            lingerTimer?.cancel()
            responder.respond(pollingPacket: .close)
            server.registry.remove(self)
            return
        }
        switch machine.pollGET(id: id) {
        case .hold:
            pendingGET = responder
            answerPendingGETIfQueued()
        case .answerNoop:
            responder.respond(pollingPacket: .noop)
        case .holdDuringUpgrade:
            pendingGET = responder
            eventLoop.assumeIsolated().scheduleTask(in: Self.upgradeCheckInterval) { [self] in
                guard machine.isAwaitingUpgrade, machine.pendingGET == id, let g = pendingGET else { return }
                pendingGET = nil
                _ = machine.pollGETAnswered()
                g.respond(pollingPacket: .noop)
            }
        case .reject(let e):
            responder.respond(engineIOError: e)
        case .closeForOverlap:
            pendingGET?.respond(pollingPacket: .close)
            pendingGET = nil
            responder.respond(engineIOError: .badRequest)
            close(.pollOverlap, notifyPeer: false)
        }
    }

    /// The connection holding a GET closed before it was answered.
    func pollGETAborted(id: UInt64) {
        if machine.pollGETAborted(id: id) {
            pendingGET = nil
            close(.transportClosed, notifyPeer: false)
        }
    }

    /// False: the POST was rejected (already answered).
    func pollPOSTBegan(id: UInt64, responder: HTTPResponder) -> Bool {
        switch machine.pollPOSTBegan(id: id) {
        case .accept: return true
        case .reject(let e):
            responder.respond(engineIOError: e)
        case .closeForOverlap:
            responder.respond(engineIOError: .badRequest)
            close(.pollOverlap, notifyPeer: false)
        }
        answeredPOSTs.insert(id)
        return false
    }

    /// The body of a POST, or nil when it passed maxPayload (413; the
    /// session stays open, as in the reference).
    func pollPOSTEnded(id: UInt64, body: String?, responder: HTTPResponder) {
        if answeredPOSTs.remove(id) != nil { return }
        guard machine.pollPOSTEnded(id: id) else {
            responder.respond(engineIOError: machine.isWebSocket ? .badRequest : .unknownSessionID)
            return
        }
        guard let body else {
            responder.respond(status: .payloadTooLarge, close: true)
            return
        }
        let packets: [EngineIOPacket]
        do {
            packets = try PollingPayload.decode(body)
        } catch {
            responder.respondPostOK()
            close(.parseError, notifyPeer: false)
            return
        }
        for p in packets {
            if p.type == .close {
                // The client ends the session: a pending GET gets `6`.
                if let g = pendingGET {
                    pendingGET = nil
                    _ = machine.pollGETAnswered()
                    g.respond(pollingPacket: .noop)
                }
            }
            received(p)
            if machine.isClosed { break }
        }
        responder.respondPostOK()
    }

    // MARK: WebSocket upgrade

    /// A WebSocket arrived for this polling session. A second WebSocket,
    /// or one for an upgraded session, is closed at once.
    func attachProbe(_ link: WebSocketLink) {
        guard machine.probeAttached() else { link.abort(); return }
        probe = link
        upgradeTimer = timers.schedule(in: .milliseconds(Int64(config.upgradeTimeoutMs))) { [self] in
            guard let p = probe else { return }
            machine.probeEnded()
            probe = nil
            p.abort()
        }
    }

    /// Frames from a WebSocket that is either the probe or the transport.
    func webSocketReceived(_ packet: EngineIOPacket, from link: WebSocketLink) {
        if link === webSocket {
            // The reference ignores a client's `1` on a WebSocket: the client
            // closes the socket next, and that close is recoverable.
            if packet.type != .close { received(packet) }
            return
        }
        guard link === probe else { return }
        switch machine.probeReceived(packet) {
        case .ignore: break
        case .answerProbe(let pending):
            link.writeAndFlush(WebSocketFraming.serverFrame(.probePong))
            if pending != nil, let g = pendingGET {
                pendingGET = nil
                g.respond(pollingPacket: .noop)
            }
        case .completeUpgrade(let pending):
            upgradeTimer?.cancel()
            upgradeTimer = nil
            probe = nil
            webSocket = link
            if pending != nil, let g = pendingGET {
                // Held after `3probe`: answered as a GET after the upgrade is.
                pendingGET = nil
                g.respond(engineIOError: .badRequest)
            }
            for var p in outbox.drainPackets() {
                var frame = link.channel.allocator.buffer(capacity: p.readableBytes + 10)
                WebSocketFraming.writeHeader(opcode: 0x1, length: p.readableBytes, into: &frame)
                frame.writeBuffer(&p)
                link.write(frame)
            }
            link.flush()
            socketIO.transportUpgraded()
            wakeWritableWaiters()
        case .closeProbe:
            upgradeTimer?.cancel()
            upgradeTimer = nil
            probe = nil
            link.abort()
        }
    }

    func webSocketClosed(_ link: WebSocketLink, error: Bool) {
        if link === probe {
            probe = nil
            upgradeTimer?.cancel()
            machine.probeEnded()
        } else if link === webSocket {
            close(error ? .transportError : .transportClosed, notifyPeer: false)
        }
    }

    // MARK: closing

    /// Ends the session once. `notifyPeer`: send the close packet (`1`)
    /// first — server-side closes; a peer that closed needs none.
    func close(_ cause: EngineIOSessionStateMachine.CloseCause, notifyPeer: Bool) {
        eventLoop.preconditionInEventLoop()
        let wasPolling = !machine.isWebSocket
        guard machine.close() else { return }
        closedBy = cause
        pingTimer?.cancel()
        pongTimer?.cancel()
        upgradeTimer?.cancel()
        if let p = probe { probe = nil; p.abort() }
        if let ws = webSocket {
            webSocket = nil
            if notifyPeer { ws.write(WebSocketFraming.serverFrame(.close)) }
            ws.close()
        } else if wasPolling {
            if let g = pendingGET {
                pendingGET = nil
                g.respond(pollingPacket: .close)
            } else if notifyPeer {
                lingeringClose = true
            }
        }
        outbox = PollingOutbox()
        writableWaiters = []
        if lingeringClose {
            lingerTimer = timers.schedule(in: .milliseconds(Int64(config.closeLingerMs))) { [self] in
                lingeringClose = false
                server.registry.remove(self)
            }
        } else {
            server.registry.remove(self)
        }
        socketIO.engineClosed(cause)
    }
}
