import Testing
import Foundation
import NIOCore
import NIOPosix
import StampedeAuth
import StampedeClient
import StampedeContract
import StampedeJSON
import StampedeServer
import StampedeTestSupport

/// The real server on an ephemeral loopback port, real HS256 tokens, and an
/// HTTP client for the REST side — what every integration test starts from.
struct TestServer {
    static let secret = "client-tests-secret"
    let server: EmbeddedServer
    let minter = TokenMinter(secret: TestServer.secret)
    let http: HTTPClient
    let endpoint: ServerEndpoint

    static func start(_ tweak: (inout ServerConfiguration) -> Void = { _ in }) async throws -> TestServer {
        var c = ServerConfiguration()
        c.port = 0
        c.jwtSecret = secret
        c.stepDelayMs = 20
        tweak(&c)
        let s = try await EmbeddedServer.start(c)
        let ep = try ServerEndpoint(url: s.baseURL)
        return TestServer(server: s, http: HTTPClient(endpoint: ep, eventLoopGroup: Self.clientGroup), endpoint: ep)
    }

    /// One small group for every test's clients: the production shape
    /// (many connections, few loops).
    static let clientGroup: EventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    /// The load generator's epoll loop, for the tests that run the client on both kinds of loop.
    static let reactor: EventLoop = try! ReactorLoop(name: "test-reactor")

    func token(_ user: String, role: Role? = nil) throws -> String { try minter.mint(user: user, role: role) }

    /// An external workflow owned by `user`, created with a service token.
    func createExternalWorkflow(for user: String) async throws -> String {
        let r = try await http.requestJSON("POST", "/api/v1/workflows", bearer: try token("svc", role: .service),
                                           json: #"{"type":"external","user_id":"\#(user)"}"#)
        guard r.status == 202 || r.status == 201, let id = try r.json()["workflow_id"]?.stringValue else {
            throw ClientError.http(status: r.status, body: r.text)
        }
        return id
    }

    /// Publishes events through the HTTP API; returns their seqs.
    @discardableResult
    func publish(_ workflowID: String, _ events: [JSONValue]) async throws -> [Int64] {
        let r = try await http.requestJSON("POST", "/api/v1/workflows/\(workflowID)/events",
                                           bearer: try token("svc", role: .service), json: JSONValue.array(events).serialized)
        guard r.status == 201 else { throw ClientError.http(status: r.status, body: r.text) }
        return (try r.json()["seq"]?.arrayValue ?? []).compactMap(\.intValue)
    }

    /// Socket subscriptions the server holds: its `stampede_subscriptions` gauge on /metrics.
    func subscriptionCount() async throws -> Int {
        let text = try await http.requestJSON("GET", "/metrics").text
        let line = text.split(separator: "\n").first { $0.hasPrefix("stampede_subscriptions ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) } ?? 0
    }

    /// Returns once the server holds `count` subscriptions (the one a test just asked for
    /// is in its fan-out, so a publish now reaches it); throws after `seconds`. What a test
    /// waits on before publishing to a fresh subscription, instead of sleeping.
    func waitForSubscriptions(_ count: Int, seconds: Double = 5) async throws {
        let reached = await waitUntil(seconds: seconds) { ((try? await subscriptionCount()) ?? 0) >= count }
        guard reached else { throw ClientError.http(status: 0, body: "the server never held \(count) subscription(s)") }
    }

    func options(_ transport: ClientTransport = .websocket, token: String?) -> ClientOptions {
        ClientOptions(endpoint: endpoint, transport: transport, auth: token.map { ["token": .string($0)] },
                      connectTimeout: .seconds(5))
    }

    func stop() async throws {
        http.shutdown()
        try await server.shutdown()
    }
}

/// The two loops a WebSocket client runs on: a NIO channel per connection, or the reactor.
enum ClientLoop: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case nio, reactor

    var next: EventLoop { self == .nio ? TestServer.clientGroup.next() : TestServer.reactor }
    var testDescription: String { rawValue }
}
