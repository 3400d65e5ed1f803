import SocketIOWire

/// Builds `/socket.io/?EIO=4&transport=…` request targets.
enum EngineIOURL {
    static func target(transport: EngineIOTransport, sid: String?, extra: [String: String]) -> String {
        var s = "/socket.io/?EIO=4&transport=\(transport.rawValue)"
        if let sid { s += "&sid=" + QueryString.encode(sid) }
        for (k, v) in extra.sorted(by: { $0.key < $1.key }) {
            s += "&" + QueryString.encode(k) + "=" + QueryString.encode(v)
        }
        return s
    }
}
