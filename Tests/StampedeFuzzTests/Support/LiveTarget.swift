import Foundation
import StampedeAuth
import StampedeJSON
import StampedeServer

/// The server a live fuzz run attacks: the embedded server on an ephemeral
/// loopback port (the default; a trap in it ends the test process), or an
/// external `stampede serve` named by `STAMPEDE_FUZZ_URL` (a trap there
/// shows as /health no longer answering).
final class LiveTarget: @unchecked Sendable {
    let port: Int
    let minter: TokenMinter
    private let embedded: EmbeddedServer?

    private init(port: Int, minter: TokenMinter, embedded: EmbeddedServer?) {
        self.port = port
        self.minter = minter
        self.embedded = embedded
    }

    static func start(_ settings: FuzzSettings) async throws -> LiveTarget {
        if let url = settings.externalURL {
            guard let port = URLComponents(string: url)?.port else { throw LiveTargetError.badURL(url) }
            return LiveTarget(port: port, minter: TokenMinter(secret: settings.jwtSecret), embedded: nil)
        }
        var c = ServerConfiguration()
        c.port = 0
        c.eventLoopThreads = 2
        c.jwtSecret = "fuzz-secret"
        c.stepDelayMs = 0
        // Limits that would refuse inputs before they reach the code under
        // test are lifted; the bounds under test (payload, queues, timeouts)
        // keep their defaults, except timeouts the fuzzer would only wait on.
        c.socketEventsPerSecond = 1e9
        c.socketEventBurst = 1e9
        c.rateLimitAbuseRefusals = 1 << 30
        c.workflowCreatesPerSecond = 1e9
        c.workflowCreateBurst = 1e9
        c.maxConnectionsPerUser = 1 << 30
        c.headerTimeoutMs = 1_000
        c.bodyTimeoutMs = 1_000
        let server = try await EmbeddedServer.start(c)
        return LiveTarget(port: server.port, minter: TokenMinter(secret: c.jwtSecret), embedded: server)
    }

    func stop() async {
        try? await embedded?.shutdown()
    }

    /// One request on a fresh connection; the raw answer (maybe partial).
    func exchange(_ request: [UInt8], ms: Int) -> [UInt8] {
        guard let s = FuzzSocket(port: port) else { return [] }
        defer { s.close() }
        guard s.send(request) else { return [] }
        return s.read(ms: ms, until: HTTPWire.isCompleteResponse)
    }

    static func request(_ method: String, _ path: String, token: String? = nil, body: String? = nil, port: Int) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        return Array((head + "\r\n" + (body ?? "")).utf8)
    }

    func call(_ method: String, _ path: String, token: String? = nil, body: String? = nil, ms: Int = 2_000) -> (Int?, [UInt8]) {
        let answer = exchange(Self.request(method, path, token: token, body: body, port: port), ms: ms)
        return (HTTPWire.status(answer), HTTPWire.body(answer))
    }

    /// `/health` answers 200 within a second.
    var isHealthy: Bool { call("GET", "/health", ms: 1_000).0 == 200 }

    /// A workflow the fuzzing user owns, with some history (so `since`
    /// replays have something to replay), tokens and a live polling session.
    func bindings() throws -> CorpusBindings {
        let token = try minter.mint(user: "fuzzer")
        let service = try minter.mint(user: "fuzz-publisher", role: .service)
        let (status, card) = call("POST", "/api/v1/workflows", token: token, body: #"{"type":"external"}"#)
        guard status == 202, let id = (try? JSONParser.parse(card))?["workflow_id"]?.stringValue else {
            throw LiveTargetError.setup("create workflow: \(status.map(String.init) ?? "no answer") \(String(decoding: card, as: UTF8.self))")
        }
        let events = (0..<20).map { #"{"type":"node_update","node":"n\#($0)","status":"executing"}"# }.joined(separator: ",")
        _ = call("POST", "/api/v1/workflows/\(id)/events", token: service, body: "[\(events)]")
        return CorpusBindings(values: ["WF": id, "TOKEN": token, "SERVICE_TOKEN": service,
                                       "SID": pollingSession(token: nil) ?? "none", "HOST": "127.0.0.1:\(port)"])
    }

    /// A polling handshake (and, with `token`, the `/` namespace joined):
    /// the sid.
    func pollingSession(token: String?) -> String? {
        let (status, body) = call("GET", "/socket.io/?EIO=4&transport=polling")
        guard status == 200, body.first == UInt8(ascii: "0"),
              let sid = (try? JSONParser.parse(Array(body.dropFirst())))?["sid"]?.stringValue else { return nil }
        guard let token else { return sid }
        let path = "/socket.io/?EIO=4&transport=polling&sid=\(sid)"
        guard call("POST", path, body: #"40{"token":"\#(token)"}"#).0 == 200 else { return nil }
        let (s, joined) = call("GET", path)
        guard s == 200, joined.starts(with: Array("40".utf8)) else { return nil }
        return sid
    }
}

enum LiveTargetError: Error {
    case badURL(String)
    case setup(String)
}
