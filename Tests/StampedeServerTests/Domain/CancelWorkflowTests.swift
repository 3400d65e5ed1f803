import StampedeContract
import StampedeJSON
import Foundation
import Testing

@testable import StampedeServer

extension ServerSuites {
    /// `POST /api/v1/workflows/{id}/cancel` (PROTOCOL §7): the owner or a
    /// `service` token ends a workflow; the built-in search run stops and
    /// `workflow_status cancelled` is its last event.
    @Suite(.serialized) final class CancelWorkflowTests {
        private func code(_ r: (Int, JSONValue)) -> String { "\(r.0) \(r.1["error"]?["code"]?.stringValue ?? "-")" }

        /// Polls the workflow until `done` holds or 400 tries pass (no wall-clock assertion).
        private func waitFor(_ h: DomainHarness, _ id: String, user: String, _ done: (JSONValue) -> Bool) async throws -> JSONValue {
            var view: JSONValue = .null
            for _ in 0..<400 {
                view = await h.api("GET", "/api/v1/workflows/\(id)", token: h.token(user)).1
                if done(view) { return view }
                try await Task.sleep(for: .milliseconds(10))
            }
            return view
        }

        @Test func testOwnerCancelsARunningSearchAndTheRunStops() async throws {
            // Long steps: the cancel lands while the runner sleeps between steps.
            let h = try DomainHarness { $0.stepDelayMs = 300 }
            let (_, card) = await h.api("POST", "/api/v1/workflows", token: h.token("alice"), body: ["type": "search", "query": "cancel me"])
            let id = card["workflow_id"]!.stringValue!
            let (out, socket, _) = try await h.connect("alice")
            _ = try await h.request(out, socket!, "subscribe", ["workflow_id": .string(id), "since": 0])
            _ = try await waitFor(h, id, user: "alice") { $0["status"] == "running" }

            let (status, cancelled) = await h.api("POST", "/api/v1/workflows/\(id)/cancel", token: h.token("alice"))
            #expect(status == 202, "\(cancelled)")
            #expect(cancelled["status"] == "cancelled")
            #expect(cancelled["workflow_id"]?.stringValue == id)
            #expect(Set(cancelled.objectValue?.keys ?? []) == ["workflow_id", "type", "status", "query", "user_id", "created_at"])

            // The runner's task is gone at once; nothing follows the cancelled status.
            #expect(h.hub.searchRunner.runningCount == 0)
            let view = try await waitFor(h, id, user: "alice") { $0["status"] == "cancelled" }
            let events = view["events"]?.arrayValue ?? []
            #expect(events.last?["type"] == "workflow_status")
            #expect(events.last?["status"] == "cancelled")
            #expect(events.count < 9, "the run stopped before its last steps")
            try await h.drain()
            #expect(out.events.last?.name == "workflow_status")
            #expect(out.events.last?.arg["status"] == "cancelled")
            #expect(out.seqs == (1...Int64(events.count)).map { $0 }, "the subscriber saw every event once, cancelled last")
        }

        @Test func testCancelIsRefusedOnceTerminalForOthersAndForUnknownIDs() async throws {
            let h = try DomainHarness()
            let id = await h.createExternal(owner: "alice")
            let path = "/api/v1/workflows/\(id)/cancel"
            let r1 = await h.api("POST", path, token: nil)
            #expect(code(r1) == "401 token_missing")
            let r2 = await h.api("POST", path, token: h.token("bob"))
            #expect(code(r2) == "403 forbidden")
            let r3 = await h.api("POST", path, token: h.token("root", role: .admin))
            #expect(code(r3) == "403 forbidden", "admin reads stats; it does not end other users' workflows")
            let r4 = await h.api("POST", "/api/v1/workflows/wf_nope/cancel", token: h.token("alice"))
            #expect(code(r4) == "404 not_found")
            let r5 = await h.api("POST", "/api/v1/workflows/bad%20id/cancel", token: h.token("alice"))
            #expect(code(r5) == "404 not_found")
            let r6 = await h.api("GET", path, token: h.token("alice"))
            #expect(code(r6) == "404 not_found", "wrong method: CONTRACT-NOTES 5")

            let r7 = await h.api("POST", path, token: h.token("alice"))
            #expect(r7.0 == 202)
            let r8 = await h.api("POST", path, token: h.token("alice"))
            #expect(code(r8) == "409 workflow_terminal")
            let r9 = await h.publish(id, [DomainHarness.node(1)])
            #expect(code(r9) == "409 workflow_terminal", "publishers are refused after a cancel")
        }

        @Test func testServiceCancelsAnyUsersWorkflowAndACompletedSearchCannotBeCancelled() async throws {
            let h = try DomainHarness()
            let external = await h.createExternal(owner: "alice")
            let (status, card) = await h.api("POST", "/api/v1/workflows/\(external)/cancel", token: h.token("svc", role: .service))
            #expect(status == 202)
            #expect(card["user_id"] == "alice")

            let (_, search) = await h.api("POST", "/api/v1/workflows", token: h.token("alice"), body: ["type": "search", "query": "done"])
            let id = search["workflow_id"]!.stringValue!
            _ = try await waitFor(h, id, user: "alice") { $0["status"] == "completed" }
            let r10 = await h.api("POST", "/api/v1/workflows/\(id)/cancel", token: h.token("alice"))
            #expect(code(r10) == "409 workflow_terminal")
        }
    }
}
