import NIOCore
import NIOPosix
import StampedeContract
import Testing

@testable import StampedeServer

/// The per-socket, per-event position lookup compares keys by identity: a subscribe keys the
/// socket's position by the workflow record's own id string — the instance every live batch of
/// that workflow carries — not by the request's copy of the same text.
@Suite struct SubscriptionKeyTests {
    /// Where a native string's bytes live (ids are longer than the 15 bytes of a small string).
    static func storage(_ s: String) -> UnsafeRawPointer? {
        s.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress) } ?? nil
    }

    @Test func testASubscribeIsKeyedByTheRecordsOwnIDNotTheRequestsCopy() throws {
        let group = NIOSingletons.posixEventLoopGroup
        let stats = ServerStats()
        let registry = WorkflowRegistry(fanouts: FanoutDirectory(group: group, stats: stats), historyLimit: 10,
                                        terminalRetention: .seconds(600), idleRetention: .seconds(60), stats: stats)
        let id = registry.create(type: "external", owner: "u", query: nil).workflowID
        #expect(id.utf8.count > 15)
        // Two copies of the id, each with its own storage, as two parsed requests would hold.
        let first = String(decoding: Array(id.utf8), as: UTF8.self), second = String(decoding: Array(id.utf8), as: UTF8.self)
        #expect(Self.storage(first) != Self.storage(second))
        let loop = group.next()
        let a = try registry.subscribe(first, since: nil, principal: Principal(userID: "u"), loop: loop, alreadySubscribed: false).get()
        let b = try registry.subscribe(second, since: nil, principal: Principal(userID: "u"), loop: loop, alreadySubscribed: false).get()
        #expect(a.workflowID == id)
        #expect(Self.storage(a.workflowID) == Self.storage(b.workflowID), "both keyed by the one record's id")
        #expect(Self.storage(a.workflowID) != Self.storage(first))
    }
}
