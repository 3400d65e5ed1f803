import NIOCore
import NIOPosix
import StampedeJSON
import Testing
@testable import StampedeClient

@Suite(.timeLimit(.minutes(1))) struct HTTPClientTests {
    @Test func keepsConnectionsAliveAndReusesThem() async throws {
        let t = try await TestServer.start()
        let http = HTTPClient(endpoint: t.endpoint, eventLoopGroup: TestServer.clientGroup)
        let r1 = try await http.request("GET", "/health")
        #expect(r1.status == 200)
        #expect(try r1.json()["status"] == "ok")
        #expect(http.idleCount == 1)
        for _ in 0..<5 { _ = try await http.request("GET", "/health") }
        #expect(http.idleCount == 1, "sequential requests reuse the one connection")
        http.shutdown()
        #expect(http.idleCount == 0)
        try await t.stop()
    }

    @Test func concurrentRequestsOpenMoreConnectionsAndAllSucceed() async throws {
        let t = try await TestServer.start()
        let http = HTTPClient(endpoint: t.endpoint, eventLoopGroup: TestServer.clientGroup)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { g in
            for _ in 0..<20 { g.addTask { try await http.request("GET", "/health").status } }
            return try await g.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 20))
        #expect(http.idleCount >= 1)
        http.shutdown()
        try await t.stop()
    }

    /// The publishers ask for their own loop: a pooled connection on another loop would make
    /// every publish wake that loop's thread to send, and theirs again to hear the answer.
    @Test func aRequestForALoopGoesOverAConnectionOnThatLoop() async throws {
        let t = try await TestServer.start()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let (a, b) = (group.next(), group.next())
        #expect(a !== b)
        let http = HTTPClient(endpoint: t.endpoint, eventLoopGroup: group)
        let first = http.requestFuture("GET", "/health", on: a)
        #expect(first.eventLoop === a)
        #expect(try await first.get().status == 200)
        #expect(http.idleCount == 1)
        let second = http.requestFuture("GET", "/health", on: b)
        #expect(second.eventLoop === b, "the idle connection on the other loop is not taken")
        #expect(try await second.get().status == 200)
        #expect(http.idleCount == 2)
        for loop in [a, b, a] {
            let again = http.requestFuture("GET", "/health", on: loop)
            #expect(again.eventLoop === loop)
            #expect(try await again.get().status == 200)
        }
        #expect(http.idleCount == 2, "each loop's own connection was reused")
        http.shutdown()
        try await t.stop()
        try await group.shutdownGracefully()
    }

    @Test func errorsComeBackAsResponsesAndDeadServersAsErrors() async throws {
        let t = try await TestServer.start()
        let r = try await t.http.request("GET", "/api/v1/workflows/nope")
        #expect(r.status == 401)
        #expect(r.header("content-type")?.contains("json") == true)
        #expect(try r.json()["error"]?["code"] != nil)
        let port = t.endpoint.port
        try await t.stop()
        let dead = HTTPClient(endpoint: try ServerEndpoint(url: "http://127.0.0.1:\(port)"), eventLoopGroup: TestServer.clientGroup)
        await #expect(throws: ClientError.self) { try await dead.request("GET", "/health") }
    }
}
