import SocketIOWire

/// The rules of one Engine.IO session, kept apart from I/O so every rule of
/// SOCKETIO.md can be unit-tested: each input returns what the session must
/// do, the session (`EngineIOSession`) performs it. Modelled on
/// swift-websocket's `WebSocketStateMachine`.
struct EngineIOSessionStateMachine: Sendable {
    enum ProbeState: Sendable, Equatable {
        case none
        /// A WebSocket for this sid is open, waiting for `2probe`.
        case awaitingProbePing
        /// `3probe` was sent; waiting for `5`.
        case awaitingUpgrade
    }

    enum TransportState: Sendable, Equatable {
        case polling(ProbeState)
        case websocket
        case closed
    }

    /// Why a session ended, in Engine.IO terms; the Socket.IO layer maps it
    /// to a `SocketEndReason`.
    enum CloseCause: Sendable, Equatable {
        case transportClosed
        case transportError
        case pingTimeout
        case clientClose
        case parseError
        case protocolError
        case pollOverlap
        case shutdown
        /// The server ended it: slow consumer, rate-limit abuse, domain decision.
        case server(ServerDisconnectCause)
    }

    private(set) var transport: TransportState
    private(set) var pendingGET: UInt64?
    private(set) var pendingPOST: UInt64?
    private(set) var awaitingPong = false

    init(startedOn t: EngineIOTransport) {
        transport = t == .polling ? .polling(.none) : .websocket
    }

    var isClosed: Bool { transport == .closed }
    var isWebSocket: Bool { transport == .websocket }
    var isAwaitingUpgrade: Bool { transport == .polling(.awaitingUpgrade) }

    // MARK: long-polling

    enum GETAction: Equatable {
        /// Keep the request until something is queued (flush if already).
        case hold
        /// The session is being upgraded: answer `6` at once.
        case answerNoop
        /// Arrived after `3probe`: held; the session answers `6` after the
        /// reference's 100 ms check interval, or 400 if `5` comes first
        /// (it was sent after the upgrade and overtook it on another loop).
        case holdDuringUpgrade
        case reject(EngineIOError)
        /// A second GET: answer the pending one `1`, this one 400, close.
        case closeForOverlap(pending: UInt64)
    }

    mutating func pollGET(id: UInt64) -> GETAction {
        switch transport {
        case .closed: return .reject(.unknownSessionID)
        case .websocket: return .reject(.badRequest)
        case .polling(let probe):
            if let p = pendingGET {
                pendingGET = nil
                return .closeForOverlap(pending: p)
            }
            pendingGET = id
            return probe == .awaitingUpgrade ? .holdDuringUpgrade : .hold
        }
    }

    /// The pending GET got its answer.
    mutating func pollGETAnswered() -> UInt64? {
        defer { pendingGET = nil }
        return pendingGET
    }

    /// The HTTP connection of a GET went away before it was answered.
    /// Returns true when that closes the session (it was the pending one).
    mutating func pollGETAborted(id: UInt64) -> Bool {
        guard pendingGET == id else { return false }
        pendingGET = nil
        return !isClosed && !isWebSocket
    }

    enum POSTAction: Equatable {
        case accept
        case reject(EngineIOError)
        case closeForOverlap
    }

    mutating func pollPOSTBegan(id: UInt64) -> POSTAction {
        switch transport {
        case .closed: return .reject(.unknownSessionID)
        case .websocket: return .reject(.badRequest)
        case .polling:
            if pendingPOST != nil { pendingPOST = nil; return .closeForOverlap }
            pendingPOST = id
            return .accept
        }
    }

    /// Returns false when the POST is stale (the session moved on).
    mutating func pollPOSTEnded(id: UInt64) -> Bool {
        guard pendingPOST == id else { return false }
        pendingPOST = nil
        return !isClosed
    }

    // MARK: upgrade

    /// A WebSocket arrived for this sid. False: close it at once.
    mutating func probeAttached() -> Bool {
        guard transport == .polling(.none) else { return false }
        transport = .polling(.awaitingProbePing)
        return true
    }

    enum ProbeAction: Equatable {
        /// Send `3probe` on the probe; answer a pending GET with `6`.
        case answerProbe(pendingGET: UInt64?)
        /// `5`: the WebSocket becomes the transport; flush the buffer onto it.
        case completeUpgrade(pendingGET: UInt64?)
        /// Anything else: close the probe socket only.
        case closeProbe
        case ignore
    }

    mutating func probeReceived(_ packet: EngineIOPacket) -> ProbeAction {
        guard case .polling(let probe) = transport, probe != .none else { return .ignore }
        switch (probe, packet.type, packet.text) {
        case (.awaitingProbePing, .ping, "probe"):
            transport = .polling(.awaitingUpgrade)
            let g = pendingGET
            pendingGET = nil
            return .answerProbe(pendingGET: g)
        case (.awaitingUpgrade, .upgrade, _):
            transport = .websocket
            let g = pendingGET
            pendingGET = nil
            pendingPOST = nil
            return .completeUpgrade(pendingGET: g)
        default:
            transport = .polling(.none)
            return .closeProbe
        }
    }

    /// The probe closed or timed out before `5`.
    mutating func probeEnded() {
        if case .polling(let p) = transport, p != .none { transport = .polling(.none) }
    }

    // MARK: packets on the active transport

    enum PacketAction: Equatable {
        case none
        case deliver
        case pongReceived
        case close(CloseCause)
    }

    mutating func received(_ packet: EngineIOPacket) -> PacketAction {
        guard !isClosed else { return .none }
        switch packet.type {
        case .message: return .deliver
        case .pong:
            guard awaitingPong else { return .none }
            awaitingPong = false
            return .pongReceived
        case .close: return .close(.clientClose)
        case .noop: return .none
        // v4 servers ping; a client ping, an open or a stray upgrade is an error.
        case .ping, .open, .upgrade: return .close(.protocolError)
        }
    }

    // MARK: heartbeat

    /// The ping timer fired: send `2` and start waiting for `3`.
    mutating func pingDue() -> Bool {
        guard !isClosed else { return false }
        awaitingPong = true
        return true
    }

    /// The pong deadline passed: true when that closes the session.
    func pongDeadlinePassed() -> Bool { !isClosed && awaitingPong }

    // MARK: closing

    /// Returns false when the session was already closed (close only once).
    mutating func close() -> Bool {
        guard !isClosed else { return false }
        transport = .closed
        return true
    }
}
