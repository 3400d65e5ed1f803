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
        // Over bytes, one pass: every handshake and polling request parses its query, and
        // `split` on `Character`s with a decode through `Array` and `String` per item was
        // 2 % of a connect's server CPU (docs/BENCHMARKS.md §19).
        var out: [String: String] = [:]
        let u = query.utf8
        var start = u.startIndex
        while start < u.endIndex {
            let end = u[start...].firstIndex(of: UInt8(ascii: "&")) ?? u.endIndex
            if end > start {
                let eq = u[start..<end].firstIndex(of: UInt8(ascii: "=")) ?? end
                let key = decode(query[start..<eq])
                if out[key] == nil {
                    out[key] = eq < end ? decode(query[u.index(after: eq)..<end]) : ""
                }
            }
            guard end < u.endIndex else { break }
            start = u.index(after: end)
        }
        return out
    }

    /// `application/x-www-form-urlencoded` unescaping: `+` is a space, `%XY` a byte; a `%`
    /// without two hex digits stays as it is. Most items have neither and are copied whole.
    public static func decode(_ s: Substring) -> String {
        let u = s.utf8
        guard u.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) else { return String(s) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(u.count)
        var i = u.startIndex
        while i < u.endIndex {
            let b = u[i]
            i = u.index(after: i)
            if b == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if b == UInt8(ascii: "%"), i < u.endIndex, let hi = hexValue(u[i]),
                      u.index(after: i) < u.endIndex, let lo = hexValue(u[u.index(after: i)]) {
                bytes.append(hi << 4 | lo)
                i = u.index(i, offsetBy: 2)
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
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
