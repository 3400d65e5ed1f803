import Foundation
import StampedeCluster
import StampedeJSON
import Testing

extension ClusterSuites {
    /// Issue 11 item 6: Socket.IO connection state recovery on any node. The
    /// session is kept in the database when the transport is lost (or the
    /// node shuts down) and taken once by whichever node the client reaches.
    @Suite(.serialized) final class ClusterRecoveryTests {
        private var h: ClusterHarness!

        /// Swift Testing makes one suite instance per test and releases it when the test
        /// ends; the async stop that XCTest's tearDown awaited runs behind it.
        deinit { Task { [h] in await h?.stop() } }


        /// A subscribed socket on `node` that saw seqs 1…3, then lost its
        /// transport; returns its sid, pid and last offset once its session row
        /// is written.
        private func detachedSession(on node: Int, _ user: String, _ wf: String) async throws -> (sid: String, pid: String, offset: String) {
            let s = try await h.socket(node, user)
            try await s.subscribe(wf)
            try await h.publish(on: node, wf, (1...3).map { ClusterHarness.step($0) })
            let got = await s.until { $0.events.count >= 3 }
            #expect(got)
            let pid = try #require(s.connected?.pid, "the node offers recovery")
            let offset = try #require(s.events.last?.offset, "live events carry offsets")
            s.connection.close(.abrupt)
            let kept = try await eventually { try h.sql("SELECT count(*) FROM stampede_sessions WHERE pid = '\(pid)'") == "1" }
            #expect(kept, "the session row is written on disconnect")
            return (s.connected!.sid, pid, offset)
        }

        @Test func testDisconnectFromOneNodeRecoverOnAnotherOnce() async throws {
            h = try await ClusterHarness.start(nodes: 2)
            let wf = try await h.createWorkflow(on: 0, owner: "alice")
            let (sid, pid, offset) = try await detachedSession(on: 0, "alice", wf)
            try await h.publish(on: 1, wf, (4...5).map { ClusterHarness.step($0) })

            let back = try await h.socket(1, "alice", recovery: (pid, offset))
            #expect(back.connected?.pid == pid, "recovered: the pid is kept")
            #expect(back.connected?.sid == sid, "and the sid")
            let replayed = await back.until { $0.events.count >= 2 }
            #expect(replayed)
            #expect(back.seqs == [4, 5], "exactly the missed events")
            // Live events keep coming to the recovered room, with no duplicate.
            try await h.publish(on: 0, wf, [ClusterHarness.step(6)])
            let live = await back.until { $0.events.count >= 3 }
            #expect(live)
            #expect(back.seqs == [4, 5, 6])

            // The session was taken once: a second attempt (on either node) starts afresh.
            let again = try await h.socket(0, "alice", recovery: (pid, offset))
            #expect(again.connected?.pid != pid, "a session recovers once")
            #expect(again.connected?.sid != sid)
        }

        @Test func testAnotherUserOrAnotherEpochNeverRecovers() async throws {
            h = try await ClusterHarness.start(nodes: 2)
            let wf = try await h.createWorkflow(on: 0, owner: "bob")
            let (_, pid, offset) = try await detachedSession(on: 0, "bob", wf)
            let thief = try await h.socket(1, "mallory", recovery: (pid, offset))
            #expect(thief.connected?.pid != pid, "another user's session is not theirs")
            #expect(try h.sql("SELECT count(*) FROM stampede_sessions WHERE pid = '\(pid)'") == "1", "and is still kept")

            // The journal re-created or restored under a new epoch: its offsets mean nothing.
            _ = try h.sql("UPDATE stampede_position SET epoch = 'another-epoch'")
            let late = try await h.socket(1, "bob", recovery: (pid, offset))
            #expect(late.connected?.pid != pid, "an offset from another epoch never recovers")
            #expect(try h.sql("SELECT count(*) FROM stampede_sessions WHERE pid = '\(pid)'") == "0", "and the row is gone")
        }

        /// A graceful shutdown keeps its sockets' sessions: they recover on another node.
        @Test func testSessionsOfANodeThatShutsDownRecoverElsewhere() async throws {
            h = try await ClusterHarness.start(nodes: 2)
            let wf = try await h.createWorkflow(on: 0, owner: "carol")
            let s = try await h.socket(1, "carol")
            try await s.subscribe(wf)
            try await h.publish(on: 0, wf, [ClusterHarness.step(1)])
            let got = await s.until { $0.events.count >= 1 }
            #expect(got)
            let pid = try #require(s.connected?.pid), sid = s.connected!.sid
            let offset = try #require(s.events.last?.offset)
            try await h.nodes[1].shutdown()
            #expect(try h.sql("SELECT count(*) FROM stampede_sessions WHERE pid = '\(pid)'") == "1", "written before the node finished shutting down")
            try await h.publish(on: 0, wf, [ClusterHarness.step(2)])
            let back = try await h.socket(0, "carol", recovery: (pid, offset))
            #expect(back.connected?.sid == sid)
            let replayed = await back.until { $0.events.count >= 1 }
            #expect(replayed)
            #expect(back.seqs == [2])
        }
    }
}
