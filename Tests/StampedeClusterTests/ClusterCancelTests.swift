import StampedeJSON
import XCTest

/// `POST …/cancel` in cluster mode: the cancelled status goes through the
/// journal, so a search started on one node is ended from another and every
/// node answers 409 afterwards.
final class ClusterCancelTests: XCTestCase {
    var h: ClusterHarness!

    override func tearDown() async throws {
        await h?.stop()
    }

    func testACancelOnAnotherNodeEndsTheSearchEverywhere() async throws {
        h = try await ClusterHarness.start(nodes: 3) { $0.stepDelayMs = 300 }
        let (created, card) = try await h.call(0, "POST", "/api/v1/workflows", token: h.token("alice"),
                                               body: #"{"type":"search","query":"stop me"}"#)
        XCTAssertEqual(created, 202)
        let id = card["workflow_id"]!.stringValue!
        var view: JSONValue = .null
        for _ in 0..<100 where view["status"] != "running" {
            view = try await h.call(1, "GET", "/api/v1/workflows/\(id)", token: h.token("alice")).1
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTAssertEqual(view["status"], "running")
        let (other, _) = try await h.call(1, "POST", "/api/v1/workflows/\(id)/cancel", token: h.token("mallory"))
        XCTAssertEqual(other, 403)
        let (status, cancelled) = try await h.call(1, "POST", "/api/v1/workflows/\(id)/cancel", token: h.token("alice"))
        XCTAssertEqual(status, 202, "\(cancelled)")
        XCTAssertEqual(cancelled["status"], "cancelled")
        let (again, _) = try await h.call(2, "POST", "/api/v1/workflows/\(id)/cancel", token: h.token("svc", role: .service))
        XCTAssertEqual(again, 409, "terminal on every node")

        // The run on node 0 stops at its next step (the journal refuses it): cancelled stays last.
        try await Task.sleep(nanoseconds: 800_000_000)
        let events = try await h.call(2, "GET", "/api/v1/workflows/\(id)", token: h.token("alice")).1["events"]?.arrayValue ?? []
        XCTAssertEqual(events.last?["type"], "workflow_status")
        XCTAssertEqual(events.last?["status"], "cancelled")
        XCTAssertLessThan(events.count, 9)
        XCTAssertEqual(events.compactMap { $0["seq"]?.intValue }, (1...Int64(events.count)).map { $0 })
    }
}
