import Foundation
import NIOPosix
import StampedeAuth
import StampedeClient
import StampedeJSON
import Testing

@testable import StampedeServer

extension ServerSuites {
    /// Issue 15 item 15: docs/openapi.json is the document `GET /openapi.json` serves, and it is true
    /// of the real server: every documented operation is exercised over HTTP, every status the server
    /// answers is documented for that operation, every documented status is produced (except 429 and
    /// the protected-stats ones, which need other configuration), and every error has the Error shape.
    /// Cancel (issue 13) answers 202 with the task card, as PROTOCOL.md §7 says.
    @Suite(.serialized) final class OpenAPIDocumentTests {
        static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()

        var server: EmbeddedServer!
        var group: MultiThreadedEventLoopGroup!
        var http: HTTPClient!
        let minter = TokenMinter(secret: "openapi-secret")

        init() async throws {
            var c = ServerConfiguration()
            c.port = 0
            c.jwtSecret = "openapi-secret"
            c.stepDelayMs = 5_000
            server = try await EmbeddedServer.start(c)
            group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            http = HTTPClient(endpoint: try ServerEndpoint(url: server.baseURL), eventLoopGroup: group)
        }

        /// Swift Testing makes one suite instance per test and releases it when the test
        /// ends; the async stop that XCTest's tearDown awaited runs behind it.
        deinit {
            http?.shutdown()
            Task { [group, server] in
                try? await group?.shutdownGracefully()
                try? await server?.shutdown()
            }
        }

        func document() throws -> JSONValue { try JSONParser.parse(Array(try Data(contentsOf: Self.root.appendingPathComponent("docs/openapi.json")))) }

        /// (path template, method) → documented statuses.
        func operations(_ doc: JSONValue) -> [String: Set<Int>] {
            var out: [String: Set<Int>] = [:]
            for (path, item) in doc["paths"]?.objectValue?.entries ?? [] {
                for (method, op) in item.objectValue?.entries ?? [] {
                    out["\(method.uppercased()) \(path)"] = Set((op["responses"]?.objectValue?.entries ?? []).compactMap { Int($0.key) })
                }
            }
            return out
        }

        @Test func testTheServedDocumentIsTheRepositorysAndOpenAPI31() async throws {
            let served = try await http.request("GET", "/openapi.json")
            #expect(served.status == 200)
            #expect(served.header("Content-Type") == "application/json")
            #expect(try served.json() == document())
            #expect(try document()["openapi"]?.stringValue == "3.1.0")
        }

        @Test func testEveryRouteStatusAndErrorShapeMatchesTheRealServer() async throws {
            let documented = operations(try document())
            var observed: [String: Set<Int>] = [:]
            let user = try minter.mint(user: "alice"), other = try minter.mint(user: "bob")
            let service = try minter.mint(user: "svc", role: .service)

            func call(_ op: String, _ method: String, _ path: String, token: String? = nil, body: String? = nil,
                      sourceLocation: SourceLocation = #_sourceLocation) async throws -> HTTPResponse {
                var headers: [(String, String)] = [("Content-Type", "application/json")]
                if let token { headers.append(("Authorization", "Bearer \(token)")) }
                let r = try await http.request(method, path, headers: headers, body: body.map { Array($0.utf8) })
                observed[op, default: []].insert(r.status)
                #expect(documented[op]?.contains(r.status) == true, "\(op) answered \(r.status), which docs/openapi.json does not document: \(r.text.prefix(200))", sourceLocation: sourceLocation)
                if r.status >= 400 {
                    let e = try? r.json()
                    #expect(e?["error"]?["code"]?.stringValue != nil, "\(op) \(r.status): not the Error shape: \(r.text)", sourceLocation: sourceLocation)
                    #expect(e?["error"]?["message"]?.stringValue != nil, "\(op) \(r.status): not the Error shape: \(r.text)", sourceLocation: sourceLocation)
                }
                return r
            }

            _ = try await call("GET /", "GET", "/")
            _ = try await call("GET /assets/{path}", "GET", "/assets/cards/main.js")
            _ = try await call("GET /assets/{path}", "GET", "/assets/cards/no-such-file.js")
            _ = try await call("GET /health", "GET", "/health")
            _ = try await call("GET /metrics", "GET", "/metrics")
            _ = try await call("GET /openapi.json", "GET", "/openapi.json")
            let stats = try await call("GET /api/v1/websocket/stats", "GET", "/api/v1/websocket/stats")
            #expect(try stats.json()["transports"]?["websocket"] != nil)

            let create = "POST /api/v1/workflows"
            _ = try await call(create, "POST", "/api/v1/workflows", body: #"{"type":"external"}"#)
            _ = try await call(create, "POST", "/api/v1/workflows", token: user, body: #"{"type":"nonsense"}"#)
            _ = try await call(create, "POST", "/api/v1/workflows", token: user, body: #"{"type":"external","user_id":"bob"}"#)
            let external = try await call(create, "POST", "/api/v1/workflows", token: user, body: #"{"type":"external"}"#)
            let id = try #require(try external.json()["workflow_id"]?.stringValue)
            let search = try await call(create, "POST", "/api/v1/workflows", token: user, body: #"{"type":"search","query":"swift"}"#)
            let searchID = try #require(try search.json()["workflow_id"]?.stringValue)

            let read = "GET /api/v1/workflows/{id}"
            let view = try await call(read, "GET", "/api/v1/workflows/\(id)", token: user)
            #expect(try view.json()["events"]?.arrayValue != nil)
            _ = try await call(read, "GET", "/api/v1/workflows/\(id)")
            _ = try await call(read, "GET", "/api/v1/workflows/\(id)", token: other)
            _ = try await call(read, "GET", "/api/v1/workflows/no-such-workflow", token: user)

            let publish = "POST /api/v1/workflows/{id}/events"
            let event = #"{"type":"node_update","node":"n","status":"executing"}"#
            _ = try await call(publish, "POST", "/api/v1/workflows/\(id)/events", body: event)
            _ = try await call(publish, "POST", "/api/v1/workflows/\(id)/events", token: user, body: event)
            _ = try await call(publish, "POST", "/api/v1/workflows/\(id)/events", token: service, body: #"{"type":"node_update"}"#)
            _ = try await call(publish, "POST", "/api/v1/workflows/no-such-workflow/events", token: service, body: event)
            let many = "[" + Array(repeating: event, count: 101).joined(separator: ",") + "]"
            _ = try await call(publish, "POST", "/api/v1/workflows/\(id)/events", token: service, body: many)
            let published = try await call(publish, "POST", "/api/v1/workflows/\(id)/events", token: service, body: event)
            #expect(try published.json()["seq"]?.arrayValue?.count == 1)
            _ = try await call(publish, "POST", "/api/v1/workflows/\(id)/events", token: service,
                               body: #"{"type":"workflow_status","status":"completed"}"#)
            _ = try await call(publish, "POST", "/api/v1/workflows/\(id)/events", token: service, body: event)

            let cancel = "POST /api/v1/workflows/{id}/cancel"
            _ = try await call(cancel, "POST", "/api/v1/workflows/\(searchID)/cancel", body: "{}")
            _ = try await call(cancel, "POST", "/api/v1/workflows/\(searchID)/cancel", token: other, body: "{}")
            _ = try await call(cancel, "POST", "/api/v1/workflows/no-such-workflow/cancel", token: user, body: "{}")
            let cancelled = try await call(cancel, "POST", "/api/v1/workflows/\(searchID)/cancel", token: user, body: "{}")
            #expect(try cancelled.json()["workflow_id"]?.stringValue == searchID)
            _ = try await call(cancel, "POST", "/api/v1/workflows/\(searchID)/cancel", token: user, body: "{}")

            // Every documented operation was exercised, and produced every documented status that this
            // configuration can produce.
            let notProducedHere: [String: Set<Int>] = [
                "POST /api/v1/workflows": [429],
                "GET /api/v1/websocket/stats": [401, 403],
            ]
            for (op, statuses) in documented {
                let seen = observed[op] ?? []
                #expect(!(seen.isEmpty), "\(op) is documented but was not exercised")
                let missing = statuses.subtracting(seen).subtracting(notProducedHere[op] ?? [])
                #expect(missing == [], "\(op): documented statuses never produced")
            }
            #expect(Set(observed.keys).subtracting(documented.keys) == [], "exercised routes missing from docs/openapi.json")
        }

        /// A route the document does not list is not served: 404 with the Error shape.
        @Test func testAnUndocumentedRouteIsNotServed() async throws {
            let r = try await http.request("GET", "/api/v1/nothing-here")
            #expect(r.status == 404)
            #expect(try r.json()["error"]?["code"]?.stringValue == "not_found")
            #expect(try document()["paths"]?["/api/v1/nothing-here"] == nil)
        }
    }
}
