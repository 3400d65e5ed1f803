/// Engine.IO v4 packet types: one ASCII digit in front of the data.
public enum EngineIOPacketType: UInt8, Sendable, CaseIterable {
    case open = 0, close, ping, pong, message, upgrade, noop

    public var digit: UInt8 { UInt8(ascii: "0") + rawValue }
    public init?(digit: UInt8) {
        guard digit >= UInt8(ascii: "0") else { return nil }
        self.init(rawValue: digit - UInt8(ascii: "0"))
    }
}

/// One Engine.IO packet. A message carries either text (a Socket.IO packet)
/// or raw bytes (a binary attachment); other types carry at most a short text
/// (`2probe`, `3probe`).
public struct EngineIOPacket: Sendable, Equatable {
    public enum Payload: Sendable, Equatable {
        case text(String)
        case binary([UInt8])
    }

    public var type: EngineIOPacketType
    public var payload: Payload

    public init(_ type: EngineIOPacketType, _ text: String = "") {
        self.type = type
        self.payload = .text(text)
    }
    public init(binaryMessage bytes: [UInt8]) {
        self.type = .message
        self.payload = .binary(bytes)
    }

    public static func message(_ text: String) -> EngineIOPacket { EngineIOPacket(.message, text) }
    public static let ping = EngineIOPacket(.ping)
    public static let pong = EngineIOPacket(.pong)
    public static let close = EngineIOPacket(.close)
    public static let noop = EngineIOPacket(.noop)
    public static let upgrade = EngineIOPacket(.upgrade)
    public static let probePing = EngineIOPacket(.ping, "probe")
    public static let probePong = EngineIOPacket(.pong, "probe")

    public var text: String? { if case .text(let t) = payload { return t } else { return nil } }
    public var isBinary: Bool { if case .binary = payload { return true } else { return false } }

    /// The text a WebSocket text frame carries (`<digit><data>`). Binary
    /// messages have no text form on a WebSocket: they travel as binary frames.
    public var textFrame: String {
        switch payload {
        case .text(let t): return String(UnicodeScalar(type.digit)) + t
        case .binary(let b): return "b" + Base64.encode(b)
        }
    }

    /// Decodes a WebSocket text frame.
    public static func decode(textFrame: String) throws(EngineIOWireError) -> EngineIOPacket {
        guard let first = textFrame.utf8.first, let type = EngineIOPacketType(digit: first) else {
            throw .invalidPacket("unknown packet type in \(textFrame.prefix(16).debugDescription)")
        }
        return EngineIOPacket(type, String(textFrame.dropFirst()))
    }

    /// A WebSocket binary frame is always a binary message: no type prefix.
    public static func decode(binaryFrame: [UInt8]) -> EngineIOPacket {
        EngineIOPacket(binaryMessage: binaryFrame)
    }
}

public enum EngineIOWireError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidPacket(String)
    case invalidPayload(String)

    public var description: String {
        switch self {
        case .invalidPacket(let s): return "invalid Engine.IO packet: \(s)"
        case .invalidPayload(let s): return "invalid Engine.IO payload: \(s)"
        }
    }
}
