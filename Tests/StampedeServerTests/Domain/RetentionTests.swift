import NIOCore
import StampedeContract
import StampedeJSON
import XCTest

@testable import StampedeServer

/// PROTOCOL §5/§7: bounded history and terminal retention.
final class RetentionTests: XCTestCase {
    func testTerminalWorkflowIsDroppedAfterRetentionOnlyWhenNobodyWatches() async throws {
        let h = try DomainHarness { $0.terminalRetention = .milliseconds(50) }
        let watched = await h.createExternal(owner: "alice")
        let idle = await h.createExternal(owner: "alice")
        let (out, socket, _) = try await h.connect("alice")
        _ = try await h.request(out, socket!, "subscribe", ["workflow_id": .string(watched)])
        for id in [watched, idle] { await h.publish(id, [["type": "workflow_status", "status": "completed"]]) }
        h.hub.registry.sweep(now: .now() + .seconds(1))
        let (idleStatus, _) = await h.api("GET", "/api/v1/workflows/\(idle)", token: h.token("alice"))
        let (watchedStatus, body) = await h.api("GET", "/api/v1/workflows/\(watched)", token: h.token("alice"))
        XCTAssertEqual(idleStatus, 404, "a terminal workflow nobody watches is gone after retention")
        XCTAssertEqual(watchedStatus, 200, "a watched one is kept")
        XCTAssertEqual(body["status"], "completed")
    }

    func testHistoryIsBoundedAndTheAPIShowsTheRetainedTail() async throws {
        let h = try DomainHarness { $0.historyLimit = 4 }
        let id = await h.createExternal(owner: "alice")
        await h.publish(id, (1...10).map(DomainHarness.node))
        let (status, body) = await h.api("GET", "/api/v1/workflows/\(id)", token: h.token("alice"))
        XCTAssertEqual(status, 200)
        XCTAssertEqual(body["seq"], 10)
        XCTAssertEqual(body["events"]?.arrayValue?.compactMap { $0["seq"]?.intValue }, [7, 8, 9, 10])
        XCTAssertEqual(body["events"]?[0]?["type"], "node_update")
        let (other, _) = await h.api("GET", "/api/v1/workflows/\(id)", token: h.token("bob"))
        XCTAssertEqual(other, 403, "another user's workflow is forbidden")
    }
}
