import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StampedeCluster
import StampedeContract
import StampedeJSON
import Testing

extension ClusterSuites {
    /// Issue 11 item 7: `/api/v1/websocket/stats` answers for the whole
    /// cluster on every node — sums of counters, distinct users and workflows
    /// — and the per-user socket cap holds across nodes.
    @Suite(.serialized) final class ClusterStatsTests {
        private var h: ClusterHarness!

        /// Swift Testing makes one suite instance per test and releases it when the test
        /// ends; the async stop that XCTest's tearDown awaited runs behind it.
        deinit { Task { [h] in await h?.stop() } }


        private struct Truth: Equatable {
            var connections: Int, users: Int, workflows: Int, subscriptions: Int, perNode: [Int]
        }

        private func observed(_ s: JSONValue, nodeIDs: [String]) -> Truth {
            let nodes = s["nodes"]?.arrayValue ?? []
            let perNode = nodeIDs.map { id in
                Int(nodes.first { $0["node_id"]?.stringValue == id }?["total_connections"]?.intValue ?? -1)
            }
            return Truth(connections: Int(s["total_connections"]?.intValue ?? -1), users: Int(s["unique_users"]?.intValue ?? -1),
                         workflows: Int(s["active_workflows"]?.intValue ?? -1),
                         subscriptions: Int(s["total_subscriptions"]?.intValue ?? -1), perNode: perNode)
        }

        /// Every node's answer converges on the truth (the other nodes' part
        /// is at most a heartbeat old).
        private func assertEveryNodeSees(_ truth: Truth, _ message: String) async throws {
            let ids = h.nodes.map(\.nodeID)
            for node in h.nodes.indices {
                var last = Truth(connections: -1, users: -1, workflows: -1, subscriptions: -1, perNode: [])
                let met = try await eventually {
                    last = observed(try await h.stats(on: node), nodeIDs: ids)
                    return last == truth
                }
                #expect(met, "\(message): node \(node) answered \(last), truth \(truth)")
            }
        }

        @Test func testStatsAreClusterWideWithDistinctUsersAndWorkflows() async throws {
            h = try await ClusterHarness.start(nodes: 3)
            let w1 = try await h.createWorkflow(on: 0, owner: "alice")
            let w2 = try await h.createWorkflow(on: 1, owner: "bob")
            // alice ×2 and bob on node 0, alice and carol on node 1, bob on node 2.
            let a1 = try await h.socket(0, "alice"), _ = try await h.socket(0, "alice"), _ = try await h.socket(0, "bob")
            let a3 = try await h.socket(1, "alice"), c = try await h.socket(1, "carol")
            let b2 = try await h.socket(2, "bob")
            try await a1.subscribe(w1)
            try await a3.subscribe(w1)  // the same workflow on two nodes: one active workflow
            try await b2.subscribe(w2)
            try await assertEveryNodeSees(Truth(connections: 6, users: 3, workflows: 2, subscriptions: 3, perNode: [3, 2, 1]),
                                          "spread over three nodes")

            // Node 1's clients leave: alice is still on node 0, w1 still watched there.
            a3.connection.close(.clean)
            c.connection.close(.clean)
            try await assertEveryNodeSees(Truth(connections: 4, users: 2, workflows: 2, subscriptions: 2, perNode: [3, 0, 1]),
                                          "after node 1's clients left")
            let s = try await h.stats(on: 2)
            #expect(s["nodes"]?.arrayValue?.count == 3)
        }

        /// A node silent for 3 s is dead: its rows are removed by the others
        /// and never counted (a crashed node leaves them behind).
        @Test func testASilentNodeIsNotCountedAndItsRowsAreRemoved() async throws {
            h = try await ClusterHarness.start(nodes: 2)
            _ = try await h.socket(0, "alice")
            _ = try h.sql("""
                INSERT INTO stampede_nodes VALUES ('ghost', clock_timestamp() - interval '10 seconds', '{"total_connections": 50}');
                INSERT INTO stampede_node_users VALUES ('ghost', 'zed', 50);
                INSERT INTO stampede_node_workflows VALUES ('ghost', 'wf_ghost')
                """)
            // Node 0's socket shows within a beat; the ghost's 50 never do.
            var s: JSONValue = .null
            let met = try await eventually {
                s = try await h.stats(on: 1)
                return s["total_connections"] == 1
            }
            #expect(met, "answered \(s)")
            #expect(s["unique_users"] == 1)
            #expect(s["active_workflows"] == 0)
            let removed = try await eventually { try h.sql("SELECT count(*) FROM stampede_node_users WHERE node_id = 'ghost'") == "0" }
            #expect(removed, "a dead node's rows go")
            #expect(try h.sql("SELECT count(*) FROM stampede_nodes WHERE node_id = 'ghost'") == "0")
        }

        /// A node that shuts down leaves at once: it is not counted afterwards.
        @Test func testAGracefulShutdownLeavesTheCluster() async throws {
            h = try await ClusterHarness.start(nodes: 2)
            _ = try await h.socket(1, "alice")
            try await h.nodes[1].shutdown()
            let s = try await h.stats(on: 0)
            #expect(s["nodes"]?.arrayValue?.map { $0["node_id"]?.stringValue } == [h.nodes[0].nodeID])
            #expect(s["total_connections"] == 0)
        }

        /// The per-user cap counts the user's sockets on every node, as of the
        /// other nodes' last heartbeat.
        @Test func testThePerUserCapHoldsAcrossNodes() async throws {
            h = try await ClusterHarness.start(nodes: 2) { $0.maxConnectionsPerUser = 2 }
            _ = try await h.socket(0, "dave")
            _ = try await h.socket(0, "dave")
            // Node 1 has seen node 0's heartbeat, then beats (and reads) once more.
            let seen = try await eventually { try await h.stats(on: 1)["total_connections"] == 2 }
            #expect(seen)
            _ = try await h.stats(on: 1)
            let third = try await RecordedSocket.open(h.base(1), token: h.token("dave"))
            h.keep(third)
            #expect(third.connected == nil, "a third socket on another node is refused")
            #expect(third.refused?["data"]?["code"]?.stringValue == AuthFailureCode.tooManyConnections.rawValue)
            let other = try await h.socket(1, "erin")
            #expect(other.connected != nil, "other users are not affected")
            // The metrics of each node carry the notification queue's usage.
            var r = URLRequest(url: URL(string: h.base(1) + "/metrics")!)
            r.httpMethod = "GET"
            let (data, _) = try await URLSession.shared.data(for: r)
            #expect(String(decoding: data, as: UTF8.self).contains("stampede_postgres_notification_queue_usage "), "pg_notification_queue_usage() in /metrics")
        }
    }
}
