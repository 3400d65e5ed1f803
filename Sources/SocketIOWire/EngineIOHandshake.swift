import StampedeJSON

/// The Engine.IO error responses (HTTP 400/403 with a JSON body) exactly as
/// the reference server sends them.
public enum EngineIOError: Int, Error, Sendable, CaseIterable {
    case unknownTransport = 0
    case unknownSessionID = 1
    case badHandshakeMethod = 2
    case badRequest = 3
    case forbidden = 4
    case unsupportedProtocolVersion = 5

    public var message: String {
        switch self {
        case .unknownTransport: return "Transport unknown"
        case .unknownSessionID: return "Session ID unknown"
        case .badHandshakeMethod: return "Bad handshake method"
        case .badRequest: return "Bad request"
        case .forbidden: return "Forbidden"
        case .unsupportedProtocolVersion: return "Unsupported protocol version"
        }
    }

    public var httpStatus: Int { self == .forbidden ? 403 : 400 }
    public static let contentType = "application/json"

    /// `{"code":N,"message":TEXT}`
    public var body: String {
        JSONValue.object(["code": .int(Int64(rawValue)), "message": .string(message)]).serialized
    }
}

public enum EngineIOTransport: String, Sendable, Equatable {
    case polling, websocket
}

/// The Engine.IO parameters of a request URL, validated in the reference
/// order: transport first, then protocol version.
public struct EngineIORequestQuery: Sendable, Equatable {
    public var transport: EngineIOTransport
    public var sid: String?
    /// Every query parameter, decoded (the `token` auth fallback lives here).
    public var parameters: [String: String]

    public static func parse(query: String) throws(EngineIOError) -> EngineIORequestQuery {
        let params = QueryString.parse(query)
        guard let t = params["transport"], let transport = EngineIOTransport(rawValue: t) else {
            throw .unknownTransport
        }
        guard params["EIO"] == "4" else { throw .unsupportedProtocolVersion }
        let sid = params["sid"].flatMap { $0.isEmpty ? nil : $0 }
        return EngineIORequestQuery(transport: transport, sid: sid, parameters: params)
    }
}

/// The JSON of the open packet: exactly these five fields.
public struct EngineIOOpenPayload: Sendable, Equatable {
    public var sid: String
    public var upgrades: [String]
    public var pingInterval: Int
    public var pingTimeout: Int
    public var maxPayload: Int

    public init(sid: String, upgrades: [String], pingInterval: Int, pingTimeout: Int, maxPayload: Int) {
        self.sid = sid
        self.upgrades = upgrades
        self.pingInterval = pingInterval
        self.pingTimeout = pingTimeout
        self.maxPayload = maxPayload
    }

    public var json: JSONValue {
        .object([
            "sid": .string(sid),
            "upgrades": .array(upgrades.map { .string($0) }),
            "pingInterval": .int(Int64(pingInterval)),
            "pingTimeout": .int(Int64(pingTimeout)),
            "maxPayload": .int(Int64(maxPayload)),
        ])
    }

    public var packet: EngineIOPacket { EngineIOPacket(.open, json.serialized) }

    public init(parsing text: String) throws {
        let v = try JSONParser.parse(text)
        guard let sid = v["sid"]?.stringValue,
              let ups = v["upgrades"]?.arrayValue,
              let pi = v["pingInterval"]?.intValue,
              let pt = v["pingTimeout"]?.intValue
        else { throw EngineIOWireError.invalidPacket("open packet lacks sid/upgrades/pingInterval/pingTimeout") }
        self.init(sid: sid, upgrades: ups.compactMap(\.stringValue), pingInterval: Int(pi), pingTimeout: Int(pt),
                  maxPayload: Int(v["maxPayload"]?.intValue ?? 1_000_000))
    }
}

/// `application/x-www-form-urlencoded` query decoding, percent escapes and `+`.
public enum QueryString {
    public static func parse(_ query: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(kv[0])
            let value = kv.count > 1 ? decode(kv[1]) : ""
            if out[key] == nil { out[key] = value }
        }
        return out
    }

    public static func decode(_ s: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        var it = Array(s.utf8)[...]
        while let b = it.popFirst() {
            if b == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if b == UInt8(ascii: "%"), it.count >= 2,
                      let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(v)
                it = it.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func encode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                 UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let h = String(b, radix: 16, uppercase: true)
                out += "%" + (h.count == 1 ? "0" + h : h)
            }
        }
        return out
    }
}
