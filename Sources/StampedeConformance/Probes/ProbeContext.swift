import NIOCore
import SocketIOWire
import StampedeAuth
import StampedeClient
import StampedeContract
import StampedeJSON

/// What every probe needs: where the server is, how to mint tokens for it,
/// and what it is known (or told) to be configured with.
public struct ProbeContext: Sendable {
    public var endpoint: ServerEndpoint
    public var group: EventLoopGroup
    public var http: HTTPClient
    public var minter: TokenMinter
    /// Set when the server checks `aud`; enables the audience probe.
    public var audience: String?
    /// The per-user socket cap the server is configured with.
    public var maxConnectionsPerUser: Int
    /// The connect timeout, when known and short enough to wait for.
    public var connectTimeoutMs: Int?

    public init(endpoint: ServerEndpoint, group: EventLoopGroup, minter: TokenMinter, audience: String? = nil,
                maxConnectionsPerUser: Int = 20, connectTimeoutMs: Int? = nil) {
        self.endpoint = endpoint
        self.group = group
        self.http = HTTPClient(endpoint: endpoint, eventLoopGroup: group, timeout: .seconds(10))
        self.minter = minter
        self.audience = audience
        self.maxConnectionsPerUser = maxConnectionsPerUser
        self.connectTimeoutMs = connectTimeoutMs
    }

    /// A valid token; a fresh user each time unless one is named, so
    /// concurrent probes never meet the per-user socket cap by accident.
    public func token(_ user: String? = nil, role: Role? = nil) -> String {
        let sub = user ?? "probe-\(UInt64.random(in: 0...UInt64.max))"
        return (try? minter.mint(user: sub, role: role, audience: audience)) ?? ""
    }

    static func target(_ transport: String, sid: String? = nil, extra: String = "") -> String {
        var t = "/socket.io/?EIO=4&transport=\(transport)"
        if let sid { t += "&sid=\(QueryString.encode(sid))" }
        return t + extra
    }

    // MARK: long-polling

    /// Opens a polling session; the open packet's payload.
    func pollingHandshake() async throws -> EngineIOOpenPayload {
        let r = try await http.request("GET", Self.target("polling"))
        guard r.status == 200, r.text.first == "0" else { throw ProbeFailure("polling handshake answered \(r.status) \(r.text.prefix(80).debugDescription)") }
        return try EngineIOOpenPayload(parsing: String(r.text.dropFirst()))
    }

    func poll(_ sid: String) async throws -> HTTPResponse {
        try await http.request("GET", Self.target("polling", sid: sid))
    }

    func post(_ sid: String, _ body: String) async throws -> HTTPResponse {
        try await http.request("POST", Self.target("polling", sid: sid), headers: [("Content-Type", "text/plain;charset=UTF-8")],
                               body: Array(body.utf8))
    }

    // MARK: WebSocket

    /// A WebSocket session that has read its open packet.
    func websocket(sid: String? = nil, headers: [(String, String)] = [], extraQuery: String = "") async throws -> (RawWebSocket, EngineIOOpenPayload?) {
        let ws = try await RawWebSocket.connect(endpoint, target: Self.target("websocket", sid: sid, extra: extraQuery),
                                                headers: headers, group: group)
        guard sid == nil else { return (ws, nil) }
        guard case .text(let t)? = await ws.next(), t.first == "0" else { throw ProbeFailure("no open packet on the WebSocket") }
        return (ws, try EngineIOOpenPayload(parsing: String(t.dropFirst())))
    }

    /// A WebSocket session joined to `/`, with its open packet: the timing
    /// probes measure from the open packet, after which the join is quick.
    func websocketJoined() async throws -> (RawWebSocket, EngineIOOpenPayload?) {
        let (ws, open) = try await websocket()
        ws.send("4" + SocketIOPacket.connect(["token": .string(token())]).encoded)
        guard let reply = await ws.next(where: { $0.hasPrefix("40") || $0.hasPrefix("44") }), reply.hasPrefix("40") else {
            throw ProbeFailure("could not join / to keep the session open")
        }
        return (ws, open)
    }

    /// A WebSocket session with a Socket.IO connection on `/`.
    func connectedSocket(auth: JSONValue? = nil) async throws -> (RawWebSocket, connectReply: String) {
        let (ws, _) = try await websocket()
        ws.send("4" + SocketIOPacket.connect(auth ?? ["token": .string(token())]).encoded)
        guard let reply = await ws.next(where: { $0.hasPrefix("40") || $0.hasPrefix("44") }) else {
            throw ProbeFailure("no CONNECT reply")
        }
        guard reply.hasPrefix("40") else { throw ProbeFailure("CONNECT refused: \(reply)") }
        return (ws, reply)
    }
}

/// A probe's evidence that the server broke a rule.
public struct ProbeFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

func expect(_ ok: Bool, _ evidence: @autoclosure () -> String) throws {
    if !ok { throw ProbeFailure(evidence()) }
}
