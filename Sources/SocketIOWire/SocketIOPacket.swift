import StampedeJSON

/// Socket.IO v5 packet types.
public enum SocketIOPacketType: UInt8, Sendable, CaseIterable {
    case connect = 0, disconnect, event, ack, connectError, binaryEvent, binaryAck
}

/// One Socket.IO packet as it travels inside an Engine.IO message:
/// `<type>[<attachments>-][<namespace>,][<ack id>][<JSON>]`.
public struct SocketIOPacket: Sendable, Equatable {
    public var type: SocketIOPacketType
    public var namespace: String
    public var ackID: UInt64?
    public var data: JSONValue?
    /// Binary attachments announced by a BINARY_EVENT/BINARY_ACK header.
    public var attachments: Int

    public init(type: SocketIOPacketType, namespace: String = "/", ackID: UInt64? = nil,
                data: JSONValue? = nil, attachments: Int = 0) {
        self.type = type
        self.namespace = namespace
        self.ackID = ackID
        self.data = data
        self.attachments = attachments
    }

    /// Event names a client may not emit (they are the library's own).
    public static let reservedEventNames: Set<String> = [
        "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener",
    ]
    public static let maxAttachments = 10

    public static func event(_ name: String, _ args: [JSONValue], namespace: String = "/", ackID: UInt64? = nil) -> SocketIOPacket {
        SocketIOPacket(type: .event, namespace: namespace, ackID: ackID, data: .array([.string(name)] + args))
    }
    public static func ack(_ id: UInt64, _ args: [JSONValue], namespace: String = "/") -> SocketIOPacket {
        SocketIOPacket(type: .ack, namespace: namespace, ackID: id, data: .array(args))
    }
    public static func connect(_ auth: JSONValue? = nil, namespace: String = "/") -> SocketIOPacket {
        SocketIOPacket(type: .connect, namespace: namespace, data: auth)
    }
    public static func connectError(_ payload: JSONValue, namespace: String = "/") -> SocketIOPacket {
        SocketIOPacket(type: .connectError, namespace: namespace, data: payload)
    }
    public static func disconnect(namespace: String = "/") -> SocketIOPacket {
        SocketIOPacket(type: .disconnect, namespace: namespace)
    }

    /// For EVENT packets: the event name and its arguments.
    public var eventName: String? {
        guard type == .event || type == .binaryEvent else { return nil }
        return data?[0]?.stringValue
    }
    public var eventArguments: [JSONValue] {
        guard let a = data?.arrayValue, !a.isEmpty else { return [] }
        return Array(a.dropFirst())
    }

    // MARK: encoding

    public var encoded: String {
        var out = String(type.rawValue)
        if type == .binaryEvent || type == .binaryAck { out += "\(attachments)-" }
        if namespace != "/" { out += namespace + "," }
        if let ackID { out += String(ackID) }
        if let data { JSONWriter.write(data, into: &out) }
        return out
    }

    /// The Engine.IO message that carries this packet.
    public var engineIOPacket: EngineIOPacket { .message(encoded) }

    // MARK: decoding

    /// Decodes and validates; every rule of SOCKETIO.md that "closes the
    /// whole connection" surfaces as a `SocketIOWireError`.
    public static func decode(_ text: String) throws(SocketIOWireError) -> SocketIOPacket {
        let b = Array(text.utf8)
        var i = 0
        guard let first = b.first, first >= UInt8(ascii: "0"),
              let type = SocketIOPacketType(rawValue: first - UInt8(ascii: "0")) else {
            throw .unknownPacketType
        }
        i = 1
        var attachments = 0
        if type == .binaryEvent || type == .binaryAck {
            let start = i
            while i < b.count, b[i] != UInt8(ascii: "-") { i += 1 }
            guard i < b.count, i > start,
                  let n = Int(String(decoding: b[start..<i], as: UTF8.self)) else { throw .illegalAttachments }
            guard n <= maxAttachments else { throw .tooManyAttachments(n) }
            attachments = n
            i += 1
        }
        var namespace = "/"
        if i < b.count, b[i] == UInt8(ascii: "/") {
            let start = i
            while i < b.count, b[i] != UInt8(ascii: ",") { i += 1 }
            namespace = String(decoding: b[start..<i], as: UTF8.self)
            if i < b.count { i += 1 }  // the comma
        }
        var ackID: UInt64?
        let idStart = i
        while i < b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) { i += 1 }
        if i > idStart {
            guard let id = UInt64(String(decoding: b[idStart..<i], as: UTF8.self)) else { throw .invalidAckID }
            ackID = id
        }
        var data: JSONValue?
        if i < b.count {
            do {
                data = try b[i...].withUnsafeBytes { try JSONParser.parse($0) }
            } catch {
                throw .invalidJSON(String(describing: error))
            }
        }
        let packet = SocketIOPacket(type: type, namespace: namespace, ackID: ackID, data: data, attachments: attachments)
        try packet.validate()
        return packet
    }

    /// The payload rules of the reference parser.
    public func validate() throws(SocketIOWireError) {
        switch type {
        case .connect:
            if let data, data.objectValue == nil { throw .invalidPayload("CONNECT payload must be an object") }
        case .disconnect:
            if data != nil { throw .invalidPayload("DISCONNECT carries no payload") }
        case .event, .binaryEvent:
            guard let a = data?.arrayValue, let head = a.first else {
                throw .invalidPayload("EVENT payload must be a non-empty array")
            }
            switch head {
            case .string(let name):
                if SocketIOPacket.reservedEventNames.contains(name) { throw .invalidPayload("reserved event name \(name)") }
            case .int, .double: break
            default: throw .invalidPayload("EVENT name must be a string or a number")
            }
        case .ack, .binaryAck:
            guard data?.arrayValue != nil else { throw .invalidPayload("ACK payload must be an array") }
            guard ackID != nil else { throw .invalidPayload("ACK without id") }
        case .connectError:
            guard let data, data.stringValue != nil || data.objectValue != nil else {
                throw .invalidPayload("CONNECT_ERROR payload must be a string or an object")
            }
        }
    }
}

public enum SocketIOWireError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownPacketType
    case illegalAttachments
    case tooManyAttachments(Int)
    case invalidAckID
    case invalidJSON(String)
    case invalidPayload(String)
    case unexpectedAttachment

    public var description: String {
        switch self {
        case .unknownPacketType: return "unknown Socket.IO packet type"
        case .illegalAttachments: return "illegal attachments header"
        case .tooManyAttachments(let n): return "too many attachments (\(n) > \(SocketIOPacket.maxAttachments))"
        case .invalidAckID: return "invalid ack id"
        case .invalidJSON(let s): return "payload is not JSON (\(s))"
        case .invalidPayload(let s): return "invalid payload: \(s)"
        case .unexpectedAttachment: return "binary attachment without a pending binary packet"
        }
    }
}
