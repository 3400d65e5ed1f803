import Foundation
import StampedeCluster
import StampedeJSON
import XCTest

/// Issue 11 item 6: Socket.IO connection state recovery on any node. The
/// session is kept in the database when the transport is lost (or the
/// node shuts down) and taken once by whichever node the client reaches.
final class ClusterRecoveryTests: XCTestCase {
    private var h: ClusterHarness!

    override func tearDown() async throws {
        await h?.stop()
    }


    /// A subscribed socket on `node` that saw seqs 1…3, then lost its
    /// transport; returns its sid, pid and last offset once its session row
    /// is written.
    private func detachedSession(on node: Int, _ user: String, _ wf: String) async throws -> (sid: String, pid: String, offset: String) {
        let s = try await h.socket(node, user)
        try await s.subscribe(wf)
        try await h.publish(on: node, wf, (1...3).map { ClusterHarness.step($0) })
        let got = await s.until { $0.events.count >= 3 }
        XCTAssertTrue(got)
        let pid = try XCTUnwrap(s.connected?.pid, "the node offers recovery")
        let offset = try XCTUnwrap(s.events.last?.offset, "live events carry offsets")
        s.connection.close(.abrupt)
        let kept = try await eventually { try h.sql("SELECT count(*) FROM stampede_sessions WHERE pid = '\(pid)'") == "1" }
        XCTAssertTrue(kept, "the session row is written on disconnect")
        return (s.connected!.sid, pid, offset)
    }

    func testDisconnectFromOneNodeRecoverOnAnotherOnce() async throws {
        h = try await ClusterHarness.start(nodes: 2)
        let wf = try await h.createWorkflow(on: 0, owner: "alice")
        let (sid, pid, offset) = try await detachedSession(on: 0, "alice", wf)
        try await h.publish(on: 1, wf, (4...5).map { ClusterHarness.step($0) })

        let back = try await h.socket(1, "alice", recovery: (pid, offset))
        XCTAssertEqual(back.connected?.pid, pid, "recovered: the pid is kept")
        XCTAssertEqual(back.connected?.sid, sid, "and the sid")
        let replayed = await back.until { $0.events.count >= 2 }
        XCTAssertTrue(replayed)
        XCTAssertEqual(back.seqs, [4, 5], "exactly the missed events")
        // Live events keep coming to the recovered room, with no duplicate.
        try await h.publish(on: 0, wf, [ClusterHarness.step(6)])
        let live = await back.until { $0.events.count >= 3 }
        XCTAssertTrue(live)
        XCTAssertEqual(back.seqs, [4, 5, 6])

        // The session was taken once: a second attempt (on either node) starts afresh.
        let again = try await h.socket(0, "alice", recovery: (pid, offset))
        XCTAssertNotEqual(again.connected?.pid, pid, "a session recovers once")
        XCTAssertNotEqual(again.connected?.sid, sid)
    }

    func testAnotherUserOrAnotherEpochNeverRecovers() async throws {
        h = try await ClusterHarness.start(nodes: 2)
        let wf = try await h.createWorkflow(on: 0, owner: "bob")
        let (_, pid, offset) = try await detachedSession(on: 0, "bob", wf)
        let thief = try await h.socket(1, "mallory", recovery: (pid, offset))
        XCTAssertNotEqual(thief.connected?.pid, pid, "another user's session is not theirs")
        XCTAssertEqual(try h.sql("SELECT count(*) FROM stampede_sessions WHERE pid = '\(pid)'"), "1", "and is still kept")

        // The journal re-created or restored under a new epoch: its offsets mean nothing.
        _ = try h.sql("UPDATE stampede_position SET epoch = 'another-epoch'")
        let late = try await h.socket(1, "bob", recovery: (pid, offset))
        XCTAssertNotEqual(late.connected?.pid, pid, "an offset from another epoch never recovers")
        XCTAssertEqual(try h.sql("SELECT count(*) FROM stampede_sessions WHERE pid = '\(pid)'"), "0", "and the row is gone")
    }

    /// A graceful shutdown keeps its sockets' sessions: they recover on another node.
    func testSessionsOfANodeThatShutsDownRecoverElsewhere() async throws {
        h = try await ClusterHarness.start(nodes: 2)
        let wf = try await h.createWorkflow(on: 0, owner: "carol")
        let s = try await h.socket(1, "carol")
        try await s.subscribe(wf)
        try await h.publish(on: 0, wf, [ClusterHarness.step(1)])
        let got = await s.until { $0.events.count >= 1 }
        XCTAssertTrue(got)
        let pid = try XCTUnwrap(s.connected?.pid), sid = s.connected!.sid
        let offset = try XCTUnwrap(s.events.last?.offset)
        try await h.nodes[1].shutdown()
        XCTAssertEqual(try h.sql("SELECT count(*) FROM stampede_sessions WHERE pid = '\(pid)'"), "1",
                       "written before the node finished shutting down")
        try await h.publish(on: 0, wf, [ClusterHarness.step(2)])
        let back = try await h.socket(0, "carol", recovery: (pid, offset))
        XCTAssertEqual(back.connected?.sid, sid)
        let replayed = await back.until { $0.events.count >= 1 }
        XCTAssertTrue(replayed)
        XCTAssertEqual(back.seqs, [2])
    }
}
