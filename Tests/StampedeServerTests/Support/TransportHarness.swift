import Foundation
import NIOCore
import NIOPosix
import SocketIOWire
import StampedeConformance
import StampedeJSON
import StampedeServer
import StampedeTestSupport
import Testing

/// A server on an ephemeral loopback port with the test domain behind it,
/// plus raw clients that speak packets.
final class TransportHarness: @unchecked Sendable {
    let server: EmbeddedServer
    let domain: TransportTestDomain
    let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    var port: Int { server.port }

    private init(server: EmbeddedServer, domain: TransportTestDomain) {
        self.server = server
        self.domain = domain
    }

    static func start(_ tweak: (inout ServerConfiguration) -> Void = { _ in }) async throws -> TransportHarness {
        var c = ServerConfiguration()
        c.port = 0
        c.eventLoopThreads = 2
        tweak(&c)
        let domain = TransportTestDomain()
        let server = try await EmbeddedServer.start(c, domain: { _, _ in domain })
        return TransportHarness(server: server, domain: domain)
    }

    func stop() async {
        try? await server.shutdown()
        try? await clientGroup.shutdownGracefully()
    }

    func connection() async throws -> RawHTTPConnection {
        try await RawHTTPConnection.connect(port: port, group: clientGroup)
    }

    /// One request on a fresh connection.
    func request(_ method: String, _ path: String, body: String? = nil, headers: [(String, String)] = [],
                 timeout: Double = 5) async throws -> RawHTTPConnection.Response {
        let c = try await connection()
        defer { c.close() }
        return try await c.request(method, path, headers: headers, body: body, timeout: timeout)
    }

    enum HeldRequest { case get, post }

    struct NotHeld: Error, CustomStringConvertible {
        let sid: String
        let request: HeldRequest
        var description: String { "the server never held \(request) for session \(sid)" }
    }

    /// Returns once the server holds `sid`'s long-poll GET (or its unfinished POST),
    /// as its session says; throws after `seconds`. Before this, tests slept and hoped.
    func waitUntilHolding(_ sid: String, _ request: HeldRequest, seconds: Double = 5) async throws {
        let held = await waitUntil(seconds: seconds) {
            guard let r = await server.heldPollingRequests(sid: sid) else { return false }
            return request == .get ? r.get : r.post
        }
        guard held else { throw NotHeld(sid: sid, request: request) }
    }

    static func pollPath(_ sid: String? = nil) -> String {
        "/socket.io/?EIO=4&transport=polling" + (sid.map { "&sid=\($0)" } ?? "")
    }

    /// A polling handshake: the sid and the open packet's JSON.
    func pollingHandshake(query: String = "") async throws -> (sid: String, open: JSONValue) {
        let r = try await request("GET", Self.pollPath() + (query.isEmpty ? "" : "&" + query))
        #expect(r.status == 200)
        #expect(r.text.hasPrefix("0"), "\(r.text)")
        let open = try JSONParser.parse(String(r.text.dropFirst()))
        return (open["sid"]!.stringValue!, open)
    }

    func poll(_ sid: String, timeout: Double = 5) async throws -> RawHTTPConnection.Response {
        try await request("GET", Self.pollPath(sid), timeout: timeout)
    }

    func post(_ sid: String, _ body: String) async throws -> RawHTTPConnection.Response {
        try await request("POST", Self.pollPath(sid), body: body, headers: [("Content-Type", "text/plain;charset=UTF-8")])
    }

    /// Packets of a polling body.
    static func packets(_ body: String) -> [String] {
        body.split(separator: "\u{1e}", omittingEmptySubsequences: false).map(String.init)
    }

    /// A WebSocket session: the socket and its open packet's JSON.
    func webSocket(query: String = "") async throws -> (RawWebSocket, JSONValue) {
        let ws = try await RawWebSocket.connect(port: port, group: clientGroup, query: query)
        guard case .text(let t)? = await ws.next(timeout: 5), t.hasPrefix("0") else {
            Issue.record("no open packet")
            throw RawHTTPError.noResponse
        }
        return (ws, try JSONParser.parse(String(t.dropFirst())))
    }

    /// A WebSocket session with `/` joined: the socket and the CONNECT reply.
    func joinedWebSocket(auth: JSONValue? = nil) async throws -> (RawWebSocket, JSONValue) {
        let (ws, _) = try await webSocket()
        try await ws.send(SocketIOPacket.connect(auth))
        let reply = try await ws.nextText()
        guard let reply, reply.hasPrefix("40") else {
            Issue.record("no CONNECT reply: \(reply ?? "nil")")
            throw RawHTTPError.noResponse
        }
        return (ws, try JSONParser.parse(String(reply.dropFirst(2))))
    }
}
