import Foundation
@testable import StampedeCluster
import Testing

extension ClusterSuites {
    /// Issue 11 item 4: a notification carries the committed events when they fit under
    /// PostgreSQL's 8,000-byte payload limit, so other nodes apply them without reading the table;
    /// larger batches carry only positions and the nodes read the rows.
    @Suite(.serialized) final class JournalNotificationTests {
        private var h: ClusterHarness!

        /// Swift Testing makes one suite instance per test and releases it when the test
        /// ends; the async stop that XCTest's tearDown awaited runs behind it.
        deinit { Task { [h] in await h?.stop() } }

        static func row(_ pos: Int64, fields: String = #"{"node":"n","status":"executing"}"#) -> JournalNotification.Row {
            .init(position: pos, workflowID: "wf-1", seq: pos, ts: 1_796_157_000_123.456, type: "node_update", fields: fields)
        }

        @Test func testSmallBatchesTravelWithTheNotificationAndLargeOnesOnlyAsPositions() {
            let rows = (1...5).map { Self.row($0) }
            let payload = JournalNotification.payload(rows)
            #expect(payload.utf8.count < JournalNotification.payloadLimit)
            #expect(JournalNotification.parse(payload) == .events(rows), "the events come back exactly, ts included")
            let big = [Self.row(7, fields: #"{"pad":""# + String(repeating: "x", count: 9_000) + #""}"#)]
            #expect(JournalNotification.payload(big) == "7")
            #expect(JournalNotification.parse("7") == .positions(last: 7))
            #expect(JournalNotification.parse("{nonsense") == nil)
        }

        @Test func testAnotherNodeAppliesSmallEventsFromTheNotificationAndReadsLargeOnes() async throws {
            h = try await ClusterHarness.start(nodes: 2)
            let id = try await h.createWorkflow(on: 0, owner: "dora")
            let watcher = try await h.socket(1, "dora")
            try await watcher.subscribe(id)
            let listener = h.nodes[1].journal.listener
            let readsBefore = listener.catchUpReads.withLockedValue { $0 }
            for n in 1...10 { _ = try await h.publish(on: 0, id, [ClusterHarness.step(n)]) }
            let pad = String(repeating: "y", count: 9_000)
            _ = try await h.publish(on: 0, id, [#"{"type":"node_update","node":"big","status":"executing","pad":"\#(pad)"}"#])
            let arrived = await watcher.until { $0.seqs.count >= 11 }
            #expect(arrived, "\(watcher.seqs)")
            #expect(watcher.seqs == Array(1...11), "in order, no gap, no duplicate, whichever way each arrived")
            #expect(listener.appliedFromNotifications.withLockedValue { $0 } >= 5, "small events are applied from their notifications")
            #expect(listener.catchUpReads.withLockedValue { $0 } > readsBefore, "the large one is read from the table")
        }
    }
}
