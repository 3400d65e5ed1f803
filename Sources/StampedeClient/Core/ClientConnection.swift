import NIOCore
import SocketIOWire
import StampedeJSON

/// One Socket.IO client on `/`. Everything runs on `eventLoop`: the state
/// machine, the transport's channel(s), the delegate calls and the ack
/// callbacks — so ten thousand of these cost a few channel handlers each and
/// not a single Task. Methods called from another thread hop onto the loop.
/// `@unchecked Sendable` because of that: the commands are callable from any thread and hop,
/// and the state is only touched on the loop (the transports it owns are loop-confined and
/// checked; moving this state into a `NIOLoopBoundBox` would put a loop check on every
/// received frame and change `emit`'s public signature for its ack).
public final class ClientConnection: @unchecked Sendable {
    public let eventLoop: EventLoop
    public let options: ClientOptions
    // `@exclusivity(unchecked)`: loop-confined per-delivery state (docs/ARCHITECTURE.md, "Threads and confinement").
    @exclusivity(unchecked) private var machine: ClientStateMachine
    private var delegate: ClientConnectionDelegate?
    private var transport: EngineTransport?
    private var acks: [UInt64: (Result<[JSONValue], ClientError>) -> Void] = [:]
    private var watchdog: Scheduled<Void>?
    private var connectTimer: Scheduled<Void>?
    @exclusivity(unchecked) private var finished = false

    /// Starts connecting at once; the delegate hears every step. The
    /// connection keeps its delegate (strongly) until `connectionDidClose`.
    public static func connect(_ options: ClientOptions, on eventLoop: EventLoop,
                               delegate: ClientConnectionDelegate) -> ClientConnection {
        let c = ClientConnection(options: options, eventLoop: eventLoop, delegate: delegate)
        if eventLoop.inEventLoop { c.start() } else { eventLoop.execute { c.start() } }
        return c
    }

    private init(options: ClientOptions, eventLoop: EventLoop, delegate: ClientConnectionDelegate) {
        self.options = options
        self.eventLoop = eventLoop
        self.delegate = delegate
        self.machine = ClientStateMachine(connectPayload: options.connectPayload)
    }

    // MARK: state (read on the event loop)

    public var state: ClientStateMachine.State { machine.state }
    public var isConnected: Bool { machine.state == .connected }
    /// The Socket.IO socket id from the CONNECT reply.
    public var sid: String? { machine.sid }
    /// The recovery session id, when the server offers recovery.
    public var pid: String? { machine.pid }
    /// The newest recovery offset received.
    public var lastOffset: String? { machine.lastOffset }
    public var handshake: EngineIOOpenPayload? { machine.handshake }
    /// Which transport carries the session right now (changes on upgrade).
    public var currentTransport: EngineIOTransport? { transport?.kind }

    // MARK: commands

    /// Events for `workflowID` are expected: they will carry this very `String` (on the loop).
    public func expectEvents(forWorkflow workflowID: String) {
        eventLoop.assertInEventLoop()
        machine.expectEvents(forWorkflow: workflowID)
    }

    /// Sends an EVENT; with `ack`, the callback runs on the loop with the
    /// ACK's arguments, or a failure when the connection ends first.
    public func emit(_ event: String, _ args: [JSONValue],
                     ack: ((Result<[JSONValue], ClientError>) -> Void)? = nil) {
        guard eventLoop.inEventLoop else {
            let box = UncheckedBox((event, args, ack))
            eventLoop.execute { self.emit(box.value.0, box.value.1, ack: box.value.2) }
            return
        }
        guard machine.state == .connected, let transport else {
            ack?(.failure(.notConnected))
            return
        }
        var id: UInt64?
        if let ack {
            let n = machine.takeAckID()
            acks[n] = ack
            id = n
        }
        transport.send(SocketIOPacket.event(event, args, ackID: id).engineIOPacket.textFrame)
    }

    /// Sends an already encoded Socket.IO packet (e.g. `42["x",…]` without
    /// the Engine.IO `4`), for callers that reuse one encoding many times.
    public func sendEncoded(socketIOPacket text: String) {
        guard eventLoop.inEventLoop else {
            eventLoop.execute { self.sendEncoded(socketIOPacket: text) }
            return
        }
        guard machine.state == .connected else { return }
        transport?.send("4" + text)
    }

    public func close(_ mode: ClientCloseMode) {
        guard eventLoop.inEventLoop else {
            eventLoop.execute { self.close(mode) }
            return
        }
        guard !finished else { return }
        switch mode {
        case .silent:
            machine.silent = true
            watchdog?.cancel()
            watchdog = nil
        case .clean:
            if machine.state == .connected { transport?.send("41") }
            if machine.state != .opening { transport?.send("1") }
            transport?.close(.graceful)
            finish(.closedByClient)
        case .abrupt:
            transport?.close(.abrupt)
            finish(.closedByClient)
        }
    }

    /// Stops (or resumes) reading the socket, so the server's output queue
    /// for this client grows: the slow-consumer scenario.
    public func setReading(_ on: Bool) {
        guard eventLoop.inEventLoop else {
            eventLoop.execute { self.setReading(on) }
            return
        }
        transport?.setReading(on)
    }

    // MARK: life cycle

    private func start() {
        let timeout = options.connectTimeout
        connectTimer = eventLoop.scheduleTask(in: timeout) { [self] in
            transport?.close(.abrupt)
            finish(.connectTimeout)
        }
        let t: EngineTransport
        switch options.transport {
        case .websocket:
            #if os(Linux)
            if let reactor = eventLoop as? ReactorLoop {
                t = ReactorWebSocketTransport(options: options, sid: nil, loop: reactor, sink: self)
                break
            }
            #endif
            t = WebSocketTransport(options: options, sid: nil, eventLoop: eventLoop, sink: self)
        case .polling: t = PollingTransport(options: options, eventLoop: eventLoop, sink: self, upgrade: false)
        case .upgrade: t = PollingTransport(options: options, eventLoop: eventLoop, sink: self, upgrade: true)
        }
        transport = t
        t.start()
    }

    private func armWatchdog() {
        guard !machine.silent, let h = machine.handshake else { return }
        watchdog?.cancel()
        watchdog = eventLoop.scheduleTask(in: .milliseconds(Int64(h.pingInterval + h.pingTimeout + 1000))) { [self] in
            transport?.close(.abrupt)
            finish(.pingTimeout)
        }
    }

    private func finish(_ reason: ClientCloseReason) {
        guard !finished else { return }
        finished = true
        machine.close()
        watchdog?.cancel()
        connectTimer?.cancel()
        watchdog = nil
        connectTimer = nil
        transport = nil
        let pending = acks
        acks = [:]
        for (_, cb) in pending { cb(.failure(.closed(reason))) }
        let d = delegate
        delegate = nil
        d?.connectionDidClose(self, reason: reason)
    }
}

extension ClientConnection: TransportSink {
    func transportDidReceive(_ packet: ByteBuffer) {
        guard !finished else { return }
        switch machine.receive(packet) {
        case .none: break
        case .event(let ev): delegate?.connection(self, didReceive: ev)
        case .ping(let answer):
            if answer {
                transport?.send("3")
                armWatchdog()
            }
            delegate?.connectionDidReceivePing(self)
        case .opened(let open, let connectPacket):
            armWatchdog()
            delegate?.connectionDidOpen(self, handshake: open)
            transport?.send(connectPacket)
        case .connected(let sid, let pid):
            connectTimer?.cancel()
            connectTimer = nil
            delegate?.connectionDidConnect(self, sid: sid, pid: pid)
            for ev in machine.takeEarlyEvents() where !finished { delegate?.connection(self, didReceive: ev) }
        case .connectRefused(let payload):
            connectTimer?.cancel()
            delegate?.connectionDidFailToConnect(self, error: payload)
            transport?.send("1")
            transport?.close(.graceful)
            finish(.connectRefused)
        case .ack(let id, let raw):
            guard let cb = acks.removeValue(forKey: id) else { return }
            let args = (try? JSONParser.parse(String(raw)))?.arrayValue ?? []
            cb(.success(args))
        case .serverClosed:
            transport?.close(.graceful)
            finish(.closedByServer)
        case .protocolError(let why):
            transport?.close(.abrupt)
            finish(.error(why))
        }
    }

    func transportDidClose(_ reason: ClientCloseReason) {
        transport = nil
        finish(reason)
    }
}

/// Carries non-Sendable arguments across one `execute` hop; the loop is the
/// only place they are used afterwards.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
