import StampedeContract
import StampedeJSON
import Foundation
import Testing

@testable import StampedeServer

extension ServerSuites {
    /// PROTOCOL §7 and §8 at the domain seam (the transport's HTTP tests cover the wire).
    @Suite(.serialized) final class HTTPAPITests {
        @Test func testSearchWorkflowEmitsTheContractSequenceToCompletion() async throws {
            let h = try DomainHarness()
            let (status, card) = await h.api("POST", "/api/v1/workflows", token: h.token("alice"), body: ["type": "search", "query": "swift nio"])
            #expect(status == 202)
            #expect(Set(card.objectValue?.keys ?? []) == ["workflow_id", "type", "status", "query", "user_id", "created_at"])
            #expect(card["status"] == "pending")
            let id = card["workflow_id"]!.stringValue!
            var events: [JSONValue] = []
            for _ in 0..<200 {
                let (_, view) = await h.api("GET", "/api/v1/workflows/\(id)", token: h.token("alice"))
                events = view["events"]?.arrayValue ?? []
                if view["status"] == "completed" { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            let shape = events.map { e -> String in
                let what = e["node"]?.stringValue ?? e["tool"]?.stringValue ?? ""
                return [e["type"]?.stringValue ?? "", what, e["status"]?.stringValue ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
            }
            #expect(shape == [
                "workflow_status running", "node_update analyze_query executing", "node_update analyze_query completed",
                "tool_update WebSearchTool executing", "tool_update WebSearchTool completed",
                "node_update synthesize executing", "node_update synthesize completed", "search_results", "workflow_status completed",
            ])
            #expect(events.compactMap { $0["seq"]?.intValue } == Array(1...9))
            #expect(events[4]["message"]?.stringValue?.hasPrefix("Found ") == true)
            #expect(events[4]["execution_time_ms"]?.doubleValue != nil)
            #expect(events[7]["results"]?.arrayValue?.count ?? 0 > 0)
        }

        @Test func testErrorsAreJSONWithTheListedStatuses() async throws {
            let h = try DomainHarness { $0.workflowCreateBurst = 2; $0.workflowCreatesPerSecond = 0.01 }
            func code(_ r: (Int, JSONValue)) -> String { "\(r.0) \(r.1["error"]?["code"]?.stringValue ?? "-")" }
            let noToken = await h.api("POST", "/api/v1/workflows", token: nil, body: ["type": "external"])
            #expect(code(noToken) == "401 token_missing")
            let badType = await h.api("POST", "/api/v1/workflows", token: h.token("alice"), body: ["type": "nope"])
            #expect(code(badType) == "400 invalid_request")
            _ = await h.api("POST", "/api/v1/workflows", token: h.token("alice"), body: ["type": "external"])
            let limited = await h.hub.handle(APIRequest(method: "POST", path: "/api/v1/workflows", query: [:],
                                                        headers: ["authorization": "Bearer \(h.token("alice"))"], body: Array(#"{"type":"external"}"#.utf8)))
            #expect(limited.status == 429)
            #expect(limited.headers.first { $0.0 == "Retry-After" } != nil, "429 carries Retry-After")
            let unknown = await h.api("GET", "/api/v1/workflows/nope", token: h.token("alice"))
            #expect(code(unknown) == "404 not_found")
            let id = await h.createExternal(owner: "bob")
            let notService = await h.api("POST", "/api/v1/workflows/\(id)/events", token: h.token("bob"), body: DomainHarness.node(1))
            #expect(code(notService) == "403 forbidden")
            let tooMany = await h.publish(id, (0..<101).map(DomainHarness.node))
            #expect(tooMany.0 == 413)
            let badEvent = await h.publish(id, [["type": "Bad-Name"]])
            #expect(code(badEvent) == "400 invalid_request")
            let health = await h.api("GET", "/health", token: nil)
            #expect(health.1 == ["status": "ok"])
        }

        @Test func testStatsAndMetricsReflectTheSameCounters() async throws {
            let h = try DomainHarness()
            let id = await h.createExternal(owner: "alice")
            let (out, socket, _) = try await h.connect("alice")
            _ = try await h.request(out, socket!, "subscribe", ["workflow_id": .string(id)])
            await h.publish(id, (1...3).map(DomainHarness.node))
            try await h.drain()
            let (status, stats) = await h.api("GET", "/api/v1/websocket/stats", token: nil)
            #expect(status == 200)
            #expect(stats["total_connections"] == 1)
            #expect(stats["events_published"] == 3)
            #expect(stats["events_delivered"] == 3)
            #expect(stats["transports"]?["websocket"] == 1)
            let metrics = await h.hub.handle(APIRequest(method: "GET", path: "/metrics", query: [:], headers: [:], body: []))
            let text = String(decoding: metrics.body, as: UTF8.self)
            #expect(text.contains("stampede_connections{transport=\"websocket\"} 1"), "\(text)")
            #expect(text.contains("stampede_events_delivered_total 3"), "\(text)")
        }

        @Test func testProtectedStatsNeedAnAdminToken() async throws {
            let h = try DomainHarness { $0.protectStats = true }
            let anonymous = await h.api("GET", "/api/v1/websocket/stats", token: nil)
            let user = await h.api("GET", "/api/v1/websocket/stats", token: h.token("alice"))
            let admin = await h.api("GET", "/api/v1/websocket/stats", token: h.token("root", role: .admin))
            let statuses0 = [anonymous.0, user.0, admin.0]
            #expect(statuses0 == [401, 403, 200])
        }
    }
}
