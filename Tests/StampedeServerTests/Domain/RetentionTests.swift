import NIOCore
import StampedeContract
import StampedeJSON
import Foundation
import Testing

@testable import StampedeServer

extension ServerSuites {
    /// PROTOCOL §5/§7: bounded history and terminal retention.
    @Suite(.serialized) final class RetentionTests {
        @Test func testTerminalWorkflowIsDroppedAfterRetentionOnlyWhenNobodyWatches() async throws {
            let h = try DomainHarness { $0.terminalRetentionSeconds = 0.05 }
            let watched = await h.createExternal(owner: "alice")
            let idle = await h.createExternal(owner: "alice")
            let (out, socket, _) = try await h.connect("alice")
            _ = try await h.request(out, socket!, "subscribe", ["workflow_id": .string(watched)])
            for id in [watched, idle] { await h.publish(id, [["type": "workflow_status", "status": "completed"]]) }
            h.hub.registry.sweep(now: .now() + .seconds(1))
            let (idleStatus, _) = await h.api("GET", "/api/v1/workflows/\(idle)", token: h.token("alice"))
            let (watchedStatus, body) = await h.api("GET", "/api/v1/workflows/\(watched)", token: h.token("alice"))
            #expect(idleStatus == 404, "a terminal workflow nobody watches is gone after retention")
            #expect(watchedStatus == 200, "a watched one is kept")
            #expect(body["status"] == "completed")
        }

        @Test func testHistoryIsBoundedAndTheAPIShowsTheRetainedTail() async throws {
            let h = try DomainHarness { $0.historyLimit = 4 }
            let id = await h.createExternal(owner: "alice")
            await h.publish(id, (1...10).map(DomainHarness.node))
            let (status, body) = await h.api("GET", "/api/v1/workflows/\(id)", token: h.token("alice"))
            #expect(status == 200)
            #expect(body["seq"] == 10)
            #expect(body["events"]?.arrayValue?.compactMap { $0["seq"]?.intValue } == [7, 8, 9, 10])
            #expect(body["events"]?[0]?["type"] == "node_update")
            let (other, _) = await h.api("GET", "/api/v1/workflows/\(id)", token: h.token("bob"))
            #expect(other == 403, "another user's workflow is forbidden")
        }
    }
}
