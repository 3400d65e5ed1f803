import SocketIOWire
import StampedeClient
import StampedeJSON

/// SOCKETIO.md, Engine.IO: the handshake and every error response.
enum EngineIOHandshakeChecks {
    static let all: [ConformanceCheck] = [
        ConformanceCheck("eio.handshake.polling_open_packet") { c in
            let r = try await c.http.request("GET", ProbeContext.target("polling"))
            try expect(r.status == 200, "handshake answered \(r.status)")
            try expect(r.header("content-type")?.lowercased().hasPrefix("text/plain") == true,
                       "Content-Type \(r.header("content-type") ?? "none"), want text/plain; charset=UTF-8")
            try expect(r.text.first == "0", "body does not start with an open packet: \(r.text.prefix(60).debugDescription)")
            let json = try JSONParser.parse(String(r.text.dropFirst()))
            let keys = Set(json.objectValue?.keys ?? [])
            try expect(keys == ["sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"], "open packet fields \(keys.sorted())")
            try expect(json["upgrades"] == ["websocket"], "upgrades \(json["upgrades"]?.serialized ?? "nil") on polling, want [\"websocket\"]")
            return .pass
        },
        ConformanceCheck("eio.handshake.websocket_open_packet") { c in
            let (ws, open) = try await c.websocket()
            defer { ws.close() }
            try expect(open?.upgrades == [], "upgrades \(open?.upgrades ?? []) on a WebSocket session, want []")
            return .pass
        },
        errorCheck("eio.error.transport_missing", "GET", "/socket.io/?EIO=4", .unknownTransport),
        errorCheck("eio.error.transport_unknown", "GET", "/socket.io/?EIO=4&transport=flash", .unknownTransport),
        errorCheck("eio.error.transport_checked_before_version", "GET", "/socket.io/?EIO=3&transport=flash", .unknownTransport),
        errorCheck("eio.error.version_missing", "GET", "/socket.io/?transport=polling", .unsupportedProtocolVersion),
        errorCheck("eio.error.version_unsupported", "GET", "/socket.io/?EIO=3&transport=polling", .unsupportedProtocolVersion),
        errorCheck("eio.error.session_unknown", "GET", "/socket.io/?EIO=4&transport=polling&sid=no-such-session", .unknownSessionID),
        errorCheck("eio.error.bad_handshake_method", "POST", "/socket.io/?EIO=4&transport=polling", .badHandshakeMethod),
        errorCheck("eio.error.websocket_without_upgrade_header", "GET", "/socket.io/?EIO=4&transport=websocket", .badRequest),
    ]

    /// An exact Engine.IO error: status, JSON content type, code and message.
    static func errorCheck(_ name: String, _ method: String, _ target: String, _ want: EngineIOError) -> ConformanceCheck {
        ConformanceCheck(name) { c in
            let r = try await c.http.request(method, target, body: method == "POST" ? Array("40".utf8) : nil)
            try expect(r.status == want.httpStatus, "\(method) \(target) answered \(r.status), want \(want.httpStatus)")
            try expect(r.header("content-type")?.lowercased().hasPrefix("application/json") == true,
                       "Content-Type \(r.header("content-type") ?? "none"), want application/json")
            let body = try? r.json()
            try expect(body?["code"]?.intValue == Int64(want.rawValue) && body?["message"]?.stringValue == want.message,
                       "body \(r.text.prefix(120)), want \(want.body)")
            return .pass
        }
    }
}
