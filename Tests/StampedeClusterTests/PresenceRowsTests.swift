@testable import StampedeCluster
import StampedeContract
import StampedeServer
import XCTest

/// What a heartbeat writes: the whole set when nothing was published (the
/// first beat, a failed one, a reaped row), otherwise only the changes.
final class PresenceRowsTests: XCTestCase {
    private func figures(_ users: [String: Int], _ workflows: Set<String>) -> NodeFigures {
        NodeFigures(stats: StatsSnapshot(), socketsPerUser: users, activeWorkflows: workflows)
    }

    func testWithoutAPublishEverythingIsWritten() {
        let rows = PresenceRows(from: nil, to: figures(["a": 2, "b": 1], ["w1"]))
        XCTAssertTrue(rows.replaceAll)
        XCTAssertEqual(rows.upsertedUsers.map(\.user), ["a", "b"])
        XCTAssertEqual(rows.upsertedUsers.map(\.sockets), [2, 1])
        XCTAssertEqual(rows.addedWorkflows, ["w1"])
        XCTAssertTrue(rows.removedUsers.isEmpty && rows.removedWorkflows.isEmpty)
    }

    func testOnlyTheChangesFollowAPublish() {
        let before = figures(["a": 2, "b": 1, "c": 1], ["w1", "w2"])
        let rows = PresenceRows(from: before, to: figures(["a": 1, "c": 1, "d": 3], ["w2", "w3"]))
        XCTAssertFalse(rows.replaceAll)
        XCTAssertEqual(rows.removedUsers, ["b"])
        XCTAssertEqual(rows.upsertedUsers.map(\.user), ["a", "d"], "a's count changed, d is new, c is unchanged")
        XCTAssertEqual(rows.upsertedUsers.map(\.sockets), [1, 3])
        XCTAssertEqual(rows.removedWorkflows, ["w1"])
        XCTAssertEqual(rows.addedWorkflows, ["w3"])
        XCTAssertTrue(PresenceRows(from: before, to: before).isEmpty)
    }
}
