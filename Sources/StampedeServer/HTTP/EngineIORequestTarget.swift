import NIOHTTP1
import SocketIOWire

/// What a request under `/socket.io/` asks for, validated in the reference
/// order (transport, then protocol version, then the session). Shared by the
/// WebSocket upgrader and the plain HTTP path so both give the same answers.
struct EngineIORequestTarget: Sendable {
    static let path = "/socket.io/"

    var query: EngineIORequestQuery
    var session: EngineIOSession?

    /// `enginePath` with or without its trailing slash.
    static func isEngineIOPath(_ uri: String, path enginePath: String = path) -> Bool {
        // Over bytes: this runs for every request, and `split` on `Character`s was 2 % of a connect.
        let u = uri.utf8
        let path = u[..<(u.firstIndex(of: UInt8(ascii: "?")) ?? u.endIndex)]
        var bare = enginePath.utf8[...]
        if bare.last == UInt8(ascii: "/") { bare = bare.dropLast() }
        if path.elementsEqual(bare) { return true }
        return path.count == bare.count + 1 && path.starts(with: bare) && path.last == UInt8(ascii: "/")
    }

    static func queryString(_ uri: String) -> String {
        guard let q = uri.firstIndex(of: "?") else { return "" }
        return String(uri[uri.index(after: q)...])
    }

    /// Validates a WebSocket request (upgrade or not).
    static func resolveWebSocket(_ head: HTTPRequestHead, registry: SessionRegistry) -> Result<EngineIORequestTarget, EngineIOError> {
        let query: EngineIORequestQuery
        do { query = try EngineIORequestQuery.parse(query: queryString(head.uri)) } catch { return .failure(error) }
        guard query.transport == .websocket else { return .failure(.badRequest) }
        guard head.method == .GET else { return .failure(.badHandshakeMethod) }
        guard let sid = query.sid else { return .success(EngineIORequestTarget(query: query, session: nil)) }
        guard let s = registry.session(sid) else { return .failure(.unknownSessionID) }
        return .success(EngineIORequestTarget(query: query, session: s))
    }

    static func isWebSocketUpgrade(_ head: HTTPRequestHead) -> Bool {
        HeaderTokens.contains(head.headers, "upgrade", token: "websocket")
    }

    /// The handshake request as the domain sees it, reduced to what a later
    /// CONNECT may read (the token, as a header or a query parameter): a
    /// session lives up to the connect timeout, and an abandoned handshake
    /// must not keep its whole request.
    static func handshake(_ head: HTTPRequestHead, query: EngineIORequestQuery, remoteAddress: String?) -> EngineIOServer.Handshake {
        var headers: [String: String] = [:]
        if let auth = head.headers.first(name: "authorization") { headers["authorization"] = auth }
        var params: [String: String] = [:]
        if let token = query.parameters["token"] { params["token"] = token }
        return EngineIOServer.Handshake(headers: headers, query: params, transport: query.transport, remoteAddress: remoteAddress)
    }

    /// Header names lower-cased; repeated headers joined with ", ".
    static func lowercasedHeaders(_ h: HTTPHeaders) -> [String: String] {
        var headers: [String: String] = [:]
        for (name, value) in h {
            let key = name.lowercased()
            headers[key] = headers[key].map { $0 + ", " + value } ?? value
        }
        return headers
    }
}
