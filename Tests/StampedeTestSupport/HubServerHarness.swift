import Foundation
import NIOCore
import NIOPosix
import StampedeConformance
import StampedeAuth
import StampedeContract
import StampedeJSON
import StampedeServer
import Testing

/// The real server (the `Hub` behind the transport) on an ephemeral port,
/// with tokens minted from its secret and raw clients: what hostile or
/// foreign clients see.
package final class HubServerHarness: @unchecked Sendable {
    package static let secret = "hardening-secret"
    package let server: EmbeddedServer
    package let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    package let minter = TokenMinter(secret: HubServerHarness.secret)
    package var port: Int { server.port }

    private init(server: EmbeddedServer) { self.server = server }

    /// What every test server runs with: an ephemeral port, two loops, the given secret and
    /// short search steps; `tweak` adjusts it per test.
    package static func configuration(secret: String, _ tweak: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
        var c = ServerConfiguration()
        c.port = 0
        c.eventLoopThreads = 2
        c.jwtSecret = secret
        c.stepDelayMs = 5
        tweak(&c)
        return c
    }

    package static func start(_ tweak: (inout ServerConfiguration) -> Void = { _ in }) async throws -> HubServerHarness {
        HubServerHarness(server: try await EmbeddedServer.start(configuration(secret: secret, tweak)))
    }

    package func stop() async {
        try? await server.shutdown()
        try? await clientGroup.shutdownGracefully()
    }

    package func token(_ user: String, role: Role? = nil) -> String {
        try! minter.mint(user: user, role: role)
    }

    package func connection() async throws -> RawHTTPConnection {
        try await RawHTTPConnection.connect(port: port, group: clientGroup)
    }

    package func request(_ method: String, _ path: String, token: String? = nil, body: String? = nil,
                 headers: [(String, String)] = [], timeout: Double = 5) async throws -> RawHTTPConnection.Response {
        let c = try await connection()
        defer { c.close() }
        var h = headers
        if let token { h.append(("Authorization", "Bearer \(token)")) }
        if body != nil { h.append(("Content-Type", "application/json")) }
        return try await c.request(method, path, headers: h, body: body, timeout: timeout)
    }

    /// An external workflow of `owner`, created over HTTP.
    package func createWorkflow(owner: String) async throws -> String {
        let r = try await request("POST", "/api/v1/workflows", token: token(owner), body: #"{"type":"external"}"#)
        #expect(r.status == 202, "\(r.text)")
        return try JSONParser.parse(r.text)["workflow_id"]!.stringValue!
    }

    /// Publishes `count` events of about `size` bytes each, in requests of 50.
    package func publish(_ id: String, count: Int, size: Int) async throws {
        let filler = String(repeating: "x", count: size)
        var sent = 0
        while sent < count {
            let n = min(50, count - sent)
            let events = (0..<n).map { i in #"{"type":"node_update","node":"n\#(sent + i)","status":"executing","message":"\#(filler)"}"# }
            let r = try await request("POST", "/api/v1/workflows/\(id)/events", token: token("svc", role: .service),
                                      body: "[" + events.joined(separator: ",") + "]")
            #expect(r.status == 201, "\(r.text)")
            sent += n
        }
    }

    /// A joined WebSocket socket of `user`.
    package func joinedWebSocket(user: String, auth extra: String = "") async throws -> (RawWebSocket, String) {
        let ws = try await RawWebSocket.connect(port: port, group: clientGroup)
        _ = try await ws.nextText()  // open
        try await ws.sendText(#"40{"token":"\#(token(user))"\#(extra)}"#)
        let reply = try await ws.nextText() ?? ""
        #expect(reply.hasPrefix("40{"), "\(reply)")
        return (ws, reply)
    }

    /// A fresh polling session: its sid and its polling path.
    package func pollingSession() async throws -> (sid: String, path: String) {
        let open = try await request("GET", "/socket.io/?EIO=4&transport=polling")
        let sid = try JSONParser.parse(String(open.text.dropFirst()))["sid"]!.stringValue!
        return (sid, "/socket.io/?EIO=4&transport=polling&sid=\(sid)")
    }

    /// An upgrade probe for `sid` that got its `3probe`.
    package func answeredProbe(sid: String) async throws -> RawWebSocket {
        let ws = try await RawWebSocket.connect(port: port, group: clientGroup, sid: sid)
        try await ws.sendText("2probe")
        let pong = try await ws.nextText()
        #expect(pong == "3probe")
        return ws
    }

    package func isHealthy() async -> Bool {
        (try? await request("GET", "/health").status) == 200
    }

    /// A counter from `/metrics` (0 when absent).
    package func metric(_ name: String, timeout: Double = 5) async throws -> Double {
        let text = try await request("GET", "/metrics", timeout: timeout).text
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }
}
