import Foundation
@testable import StampedeCluster
import StampedeClient
import StampedeJSON
import Testing

extension ClusterSuites {
    /// Issue 11 item 3: a node's concurrent publishes share transactions. A
    /// refused publish inside a shared transaction is answered on its own and
    /// takes nothing from the others; seqs stay contiguous per workflow and
    /// every node delivers them in order.
    @Suite(.serialized) final class PublishCoalescingTests {
        private var h: ClusterHarness!

        /// Swift Testing makes one suite instance per test and releases it when the test
        /// ends; the async stop that XCTest's tearDown awaited runs behind it.
        deinit { Task { [h] in await h?.stop() } }

        private func publish(_ id: String, _ types: [String], status: String? = nil) -> PublishCoalescer.Publish {
            let fields = status.map { #"{"status":"\#($0)"}"# } ?? #"{"node":"n","status":"executing"}"#
            return PublishCoalescer.Publish(workflowID: id, types: types, fields: types.map { _ in fields }, status: status, ts: 1)
        }

        /// One batch, committed as one transaction: unknown and ended workflows
        /// are refused one by one; an end inside the batch refuses what follows it.
        @Test func testOneTransactionAnswersEachPublishOnItsOwn() async throws {
            h = try await ClusterHarness.start(nodes: 2)
            let a = try await h.createWorkflow(on: 0, owner: "alice")
            let b = try await h.createWorkflow(on: 1, owner: "alice")
            let journal = h.nodes[0].journal
            let outcomes = try await journal.coalescer.commit([
                publish(b, ["node_update"]),
                publish("wf_missing", ["node_update"]),
                publish(a, ["node_update", "node_update"]),
                publish(a, ["workflow_status"], status: "completed"),
                publish(a, ["node_update"]),
                publish(b, ["node_update", "node_update"]),
            ], client: journal.client)
            #expect(outcomes == [.success([1]), .failure(.notFound), .success([1, 2]), .success([3]), .failure(.terminal),
                                      .success([2, 3])])
            #expect(try h.sql("SELECT string_agg(workflow_id || ':' || seq, ',' ORDER BY pos) FROM stampede_events") == "\(b):1,\(a):1,\(a):2,\(a):3,\(b):2,\(b):3", "positions in arrival order, gapless")
            #expect(try h.sql("SELECT status FROM stampede_workflows WHERE id = '\(a)'") == "completed")
            // The other node applies the shared transaction like any other.
            let (status, view) = try await h.call(1, "GET", "/api/v1/workflows/\(a)", token: h.token("alice"))
            #expect(status == 200)
            #expect(view["status"]?.stringValue == "completed")
            #expect(view["events"]?.arrayValue?.count == 3)
        }

        /// Many concurrent publishes through the HTTP API on one node: each
        /// gets its own answer and seqs, and a subscriber on the other node
        /// sees 1…N once, in order.
        @Test func testConcurrentPublishesOnOneNodeStayGaplessAndOrdered() async throws {
            h = try await ClusterHarness.start(nodes: 2)
            let id = try await h.createWorkflow(on: 0, owner: "alice")
            let client = try LiveUpdatesClient(url: h.base(1), token: h.token("alice"))
            try await client.connect()
            let reader = ClusterHarness.seqsUntilTerminal(client.subscribe(id, since: 0))
            let harness = h!
            let seqs = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for i in 0..<24 {
                    group.addTask {
                        let (status, body) = try await harness.publish(on: 0, id, [ClusterHarness.step(i)])
                        #expect(status == 201)
                        return body["seq"]?.arrayValue?.compactMap(\.intValue) ?? []
                    }
                }
                var all: [Int64] = []
                for try await s in group { all += s }
                return all
            }
            #expect(seqs.sorted() == Array(1...24), "each publish its own seqs, none shared, none skipped")
            try await h.publish(on: 0, id, [#"{"type":"workflow_status","status":"completed"}"#])
            let got = try await withTimeout(seconds: 20) { try await reader.value }
            #expect(got == Array(1...25))
            await client.close()
        }
    }
}
