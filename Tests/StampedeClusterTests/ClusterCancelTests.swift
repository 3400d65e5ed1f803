import StampedeJSON
import Foundation
import Testing

extension ClusterSuites {
    /// `POST …/cancel` in cluster mode: the cancelled status goes through the
    /// journal, so a search started on one node is ended from another and every
    /// node answers 409 afterwards.
    @Suite(.serialized) final class ClusterCancelTests {
        var h: ClusterHarness!

        /// Swift Testing makes one suite instance per test and releases it when the test
        /// ends; the async stop that XCTest's tearDown awaited runs behind it.
        deinit { Task { [h] in await h?.stop() } }

        @Test func testACancelOnAnotherNodeEndsTheSearchEverywhere() async throws {
            h = try await ClusterHarness.start(nodes: 3) { $0.stepDelayMs = 300 }
            let (created, card) = try await h.call(0, "POST", "/api/v1/workflows", token: h.token("alice"),
                                                   body: #"{"type":"search","query":"stop me"}"#)
            #expect(created == 202)
            let id = card["workflow_id"]!.stringValue!
            var view: JSONValue = .null
            for _ in 0..<100 where view["status"] != "running" {
                view = try await h.call(1, "GET", "/api/v1/workflows/\(id)", token: h.token("alice")).1
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            #expect(view["status"] == "running")
            let (other, _) = try await h.call(1, "POST", "/api/v1/workflows/\(id)/cancel", token: h.token("mallory"))
            #expect(other == 403)
            let (status, cancelled) = try await h.call(1, "POST", "/api/v1/workflows/\(id)/cancel", token: h.token("alice"))
            #expect(status == 202, "\(cancelled)")
            #expect(cancelled["status"] == "cancelled")
            let (again, _) = try await h.call(2, "POST", "/api/v1/workflows/\(id)/cancel", token: h.token("svc", role: .service))
            #expect(again == 409, "terminal on every node")

            // The run on node 0 stops at its next step (the journal refuses it): cancelled stays last.
            try await Task.sleep(nanoseconds: 800_000_000)
            let events = try await h.call(2, "GET", "/api/v1/workflows/\(id)", token: h.token("alice")).1["events"]?.arrayValue ?? []
            #expect(events.last?["type"] == "workflow_status")
            #expect(events.last?["status"] == "cancelled")
            #expect(events.count < 9)
            #expect(events.compactMap { $0["seq"]?.intValue } == (1...Int64(events.count)).map { $0 })
        }
    }
}
