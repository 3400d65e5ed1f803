@testable import StampedeCluster
import StampedeContract
import StampedeServer
import Foundation
import Testing

extension ClusterSuites {
    /// What a heartbeat writes: the whole set when nothing was published (the
    /// first beat, a failed one, a reaped row), otherwise only the changes.
    @Suite(.serialized) final class PresenceRowsTests {
        private func figures(_ users: [String: Int], _ workflows: Set<String>) -> NodeFigures {
            NodeFigures(stats: StatsSnapshot(), socketsPerUser: users, activeWorkflows: workflows)
        }

        @Test func testWithoutAPublishEverythingIsWritten() {
            let rows = PresenceRows(from: nil, to: figures(["a": 2, "b": 1], ["w1"]))
            #expect(rows.replaceAll)
            #expect(rows.upsertedUsers.map(\.user) == ["a", "b"])
            #expect(rows.upsertedUsers.map(\.sockets) == [2, 1])
            #expect(rows.addedWorkflows == ["w1"])
            #expect(rows.removedUsers.isEmpty && rows.removedWorkflows.isEmpty)
        }

        @Test func testOnlyTheChangesFollowAPublish() {
            let before = figures(["a": 2, "b": 1, "c": 1], ["w1", "w2"])
            let rows = PresenceRows(from: before, to: figures(["a": 1, "c": 1, "d": 3], ["w2", "w3"]))
            #expect(!(rows.replaceAll))
            #expect(rows.removedUsers == ["b"])
            #expect(rows.upsertedUsers.map(\.user) == ["a", "d"], "a's count changed, d is new, c is unchanged")
            #expect(rows.upsertedUsers.map(\.sockets) == [1, 3])
            #expect(rows.removedWorkflows == ["w1"])
            #expect(rows.addedWorkflows == ["w3"])
            #expect(PresenceRows(from: before, to: before).isEmpty)
        }
    }
}
