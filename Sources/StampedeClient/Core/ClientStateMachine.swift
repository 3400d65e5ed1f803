import NIOCore
import SocketIOWire
import StampedeJSON

/// The protocol brain of one client, as a value: feed it what arrived, get
/// back what to do. It owns no socket and no timer, so every rule of the
/// Engine.IO/Socket.IO client side is unit-testable without the network
/// (the shape of swift-websocket's WebSocketStateMachine).
public struct ClientStateMachine: Sendable {
    public enum State: Sendable, Equatable {
        /// Waiting for the Engine.IO open packet.
        case opening
        /// CONNECT sent, waiting for the reply.
        case connecting
        case connected
        case closed
    }

    /// What the connection should do after an input.
    public enum Action: Sendable, Equatable {
        case none
        /// Engine.IO is open: report it and send `connectPacket` (an Engine.IO packet text).
        case opened(EngineIOOpenPayload, connectPacket: String)
        /// A server ping: send `3` when `answer`, report it either way.
        case ping(answer: Bool)
        case connected(sid: String, pid: String?)
        case connectRefused(JSONValue)
        case event(ReceivedEvent)
        /// An ACK for one of our emits; the arguments are the raw JSON array.
        case ack(id: UInt64, arguments: Substring)
        /// The server closed the session (Engine.IO `1` or Socket.IO `41`).
        case serverClosed
        /// Something no conforming server sends: close the connection.
        case protocolError(String)
    }

    /// What the session knows once the open packet arrived; it lives inside the phases that
    /// have it, so no field can be read in a state where it means nothing.
    private struct Session: Sendable {
        var handshake: EngineIOOpenPayload
        var sid: String?
        /// Set when the server supports connection state recovery.
        var pid: String?
        /// Events that arrived between CONNECT and its reply (recovery replay), until taken.
        var earlyEvents: [ReceivedEvent] = []
    }

    private enum Phase: Sendable {
        case opening
        case connecting(Session)
        case connected(Session)
        /// What was known when it closed (nil: closed before the open packet).
        case closed(Session?)
    }

    private var phase = Phase.opening

    public var state: State {
        switch phase {
        case .opening: .opening
        case .connecting: .connecting
        case .connected: .connected
        case .closed: .closed
        }
    }

    private var session: Session? {
        switch phase {
        case .opening: nil
        case .connecting(let s), .connected(let s): s
        case .closed(let s): s
        }
    }

    public var handshake: EngineIOOpenPayload? { session?.handshake }
    public var sid: String? { session?.sid }
    /// Set when the server supports connection state recovery.
    public var pid: String? { session?.pid }
    /// The newest recovery offset seen (only tracked while `pid` is set, or while recovering).
    /// Kept beside the phase, not inside its session: it changes on every event, and changing a
    /// phase's payload copies the session out and back (a retain and release of each of its
    /// fields per delivered event on the generator's hottest path).
    public private(set) var lastOffset: String?
    /// The phase is connected with a pid, or connecting while recovering: offsets are kept.
    private var tracksOffsets = false
    /// `.silent` mode: pings are no longer answered.
    public var silent = false

    private let connectPayload: JSONValue?
    /// The CONNECT asks to resume a session, so replayed events carry offsets.
    private var recovering: Bool { connectPayload?["pid"] != nil }
    private var nextAckID: UInt64 = 0
    /// The workflow ids this connection received last: a delivery for one of them reuses its
    /// `String` (no allocation, and the checks' dictionary lookups compare by identity first).
    private var recentWorkflowIDs = RecentStrings(capacity: 4)

    /// Events for `workflowID` are expected (a subscribe is on its way): they will carry this
    /// instance of the id (`RecentStrings.remember`).
    public mutating func expectEvents(forWorkflow workflowID: String) { recentWorkflowIDs.remember(workflowID) }

    /// Changes the session data of the current phase (no-op before the open packet). The phase
    /// is parked on `.opening` while its payload is changed, so the payload stays uniquely
    /// referenced and nothing is copied (the recovery replay appends its early events here).
    private mutating func updateSession(_ body: (inout Session) -> Void) {
        switch phase {
        case .opening, .closed(nil): return
        case .connecting(var s): phase = .opening; body(&s); phase = .connecting(s)
        case .connected(var s): phase = .opening; body(&s); phase = .connected(s)
        case .closed(.some(var s)): phase = .opening; body(&s); phase = .closed(s)
        }
    }

    public init(connectPayload: JSONValue?) {
        self.connectPayload = connectPayload
    }

    /// One Engine.IO packet as bytes (`<digit><data>`), as the transport received it: a
    /// WebSocket frame's payload or one record of a polling body, read in place.
    public mutating func receive(_ packet: ByteBuffer) -> Action {
        guard state != .closed else { return .none }
        guard let first = packet.getInteger(at: packet.readerIndex, as: UInt8.self) else {
            return .protocolError("empty Engine.IO packet")
        }
        switch first {
        case UInt8(ascii: "4"): return receiveMessage(packet)
        case UInt8(ascii: "2"):
            guard state != .opening else { return .protocolError("ping before open") }
            return .ping(answer: !silent)
        case UInt8(ascii: "0"): return receiveOpen(String(buffer: packet))
        case UInt8(ascii: "1"):
            close()
            return .serverClosed
        case UInt8(ascii: "6"), UInt8(ascii: "3"): return .none  // noop; a pong we never asked for
        default: return .protocolError("unexpected Engine.IO packet \(String(buffer: packet).prefix(8).debugDescription)")
        }
    }

    /// One Engine.IO packet as text: tests and tools; the transports hand over bytes.
    public mutating func receive(_ text: String) -> Action { receive(ByteBuffer(string: text)) }

    /// The events held back until the CONNECT reply; deliver them right
    /// after `.connected`, in order.
    public mutating func takeEarlyEvents() -> [ReceivedEvent] {
        let early = session?.earlyEvents ?? []
        updateSession { $0.earlyEvents = [] }
        return early
    }

    /// Reserves the id for an emit that wants an ack.
    public mutating func takeAckID() -> UInt64 {
        defer { nextAckID &+= 1 }
        return nextAckID
    }

    /// The caller closes the connection (any mode, or a transport loss).
    public mutating func close() {
        if case .closed = phase { return }
        phase = .closed(session)
        tracksOffsets = false
    }

    private mutating func receiveOpen(_ text: String) -> Action {
        guard state == .opening else { return .protocolError("second open packet") }
        guard let open = try? EngineIOOpenPayload(parsing: String(text.dropFirst())) else {
            return .protocolError("unreadable open packet")
        }
        phase = .connecting(Session(handshake: open))
        tracksOffsets = recovering
        return .opened(open, connectPacket: SocketIOPacket.connect(connectPayload).engineIOPacket.textFrame)
    }

    private mutating func receiveMessage(_ packet: ByteBuffer) -> Action {
        guard let type = packet.getInteger(at: packet.readerIndex + 1, as: UInt8.self) else {
            return .protocolError("empty message")
        }
        // The hot path: an EVENT on `/`, decoded by the scanner alone, in place.
        if type == UInt8(ascii: "2"), state == .connected {
            return receiveEvent(packet)
        }
        // A recovering server may replay missed events before its CONNECT
        // reply; like the official clients, hold them until connected.
        if type == UInt8(ascii: "2"), state == .connecting {
            if case .event(let e) = receiveEvent(packet) { updateSession { $0.earlyEvents.append(e) } }
            return .none
        }
        // The rare packets (CONNECT replies, ACKs, DISCONNECT) go through the full decoder as text.
        let body = String(buffer: packet.getSlice(at: packet.readerIndex + 1, length: packet.readableBytes - 1)!)
        let packet: SocketIOPacket
        do { packet = try SocketIOPacket.decode(body) } catch { return .protocolError(error.description) }
        guard packet.namespace == "/" else { return .none }
        switch (packet.type, state) {
        case (.connect, .connecting):
            guard let s = packet.data?["sid"]?.stringValue, case .connecting(var known) = phase else {
                return .protocolError("CONNECT reply without sid")
            }
            known.sid = s
            known.pid = packet.data?["pid"]?.stringValue
            phase = .connected(known)
            tracksOffsets = known.pid != nil
            return .connected(sid: s, pid: known.pid)
        case (.connectError, .connecting):
            close()
            return .connectRefused(packet.data ?? .null)
        case (.disconnect, .connected), (.disconnect, .connecting):
            close()
            return .serverClosed
        case (.ack, .connected):
            guard let id = packet.ackID else { return .none }
            // Re-slice the raw array from the original text: no re-serialising.
            let raw = body.drop(while: { $0 != "[" })
            return .ack(id: id, arguments: raw)
        case (.event, .connected), (.binaryEvent, .connected):
            return .none  // binary events are outside the contract
        default:
            return .protocolError("unexpected Socket.IO packet type \(packet.type) while \(state)")
        }
    }

    /// `42[<ack id>]["name",{…}]`: the ack id's digits, then the one scan, both over the
    /// packet's bytes in place; the event keeps a slice of them as its raw JSON (no copy).
    private mutating func receiveEvent(_ packet: ByteBuffer) -> Action {
        var ackID: UInt64?
        var arrayStart = 2
        var otherNamespace = false
        let scanned: EventScanner.Result? = packet.withUnsafeReadableBytes { p in
            var i = 2  // after `4` and `2`
            if i < p.count, p[i] == UInt8(ascii: "/") { otherNamespace = true; return nil }  // not joined
            while i < p.count, p[i] >= 0x30, p[i] <= 0x39 {
                ackID = (ackID ?? 0) &* 10 &+ UInt64(p[i] - 0x30)
                i += 1
            }
            arrayStart = i
            return EventScanner.scanLeavingTimestampText(UnsafeRawBufferPointer(rebasing: p[i...]), workflowIDs: &recentWorkflowIDs)
        }
        if otherNamespace { return .none }
        let raw = packet.getSlice(at: packet.readerIndex + arrayStart, length: packet.readableBytes - arrayStart)!
        guard let scanned else { return fullParseEvent(raw, ackID: ackID) }
        let offset = keepOffset(scanned.trailingString)
        return .event(ReceivedEvent(scanned, offset: offset, ackID: ackID, rawBytes: raw))
    }

    /// The recovery offset trailing an event, kept as `lastOffset` when this session tracks
    /// offsets (it has a pid, or its CONNECT is recovering one). Runs per event: a flag test
    /// and a store, the phase untouched.
    private mutating func keepOffset(_ trailing: String?) -> String? {
        guard let offset = trailing, tracksOffsets else { return nil }
        lastOffset = offset
        return offset
    }

    private static func millisAsMicros(_ ms: Double) -> UInt64? {
        ms >= 0 && ms < 1.8e16 ? UInt64((ms * 1000).rounded(.down)) : nil
    }

    /// For what the scanner refuses (a numeric event name, odd spacing): the
    /// full parser decides, and a bad packet closes the connection.
    private mutating func fullParseEvent(_ raw: ByteBuffer, ackID: UInt64?) -> Action {
        guard let v = try? raw.withUnsafeReadableBytes({ try JSONParser.parse($0) }), let a = v.arrayValue,
              let head = a.first else {
            return .protocolError("unreadable EVENT")
        }
        let name: String
        switch head {
        case .string(let s): name = s
        case .int(let n): name = String(n)
        case .double(let d): name = String(d)
        default: return .protocolError("EVENT name must be a string or a number")
        }
        let obj: JSONValue? = a.count > 1 ? a[1] : nil
        var ev = ReceivedEvent(name: name, workflowID: obj?["workflow_id"]?.stringValue, seq: obj?["seq"]?.intValue,
                               ts: obj?["ts"]?.doubleValue, tsMicros: obj?["ts"]?.doubleValue.flatMap(Self.millisAsMicros),
                               status: obj?["status"]?.stringValue,
                               sentAtMicros: obj?["sent_at_us"]?.intValue.flatMap { $0 >= 0 ? UInt64($0) : nil },
                               ackID: ackID, rawBytes: raw)
        ev.offset = keepOffset(a.count >= 3 ? a.last?.stringValue : nil)
        return .event(ev)
    }
}
