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
