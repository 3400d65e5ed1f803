import NIOCore
import NIOPosix
import Testing
@testable import StampedeScenario

/// Ramp-downs retire the oldest closed-model client of a loop, round-robin over loops. A loop
/// with no closed-model client (open-model arrivals landed there, or its clients already left)
/// must pass the retirement on to the next loop, or the ramp-down silently keeps a client.
@Suite struct RetirementTests {
    @Test func aRetirementAimedAtAnEmptyLoopRetiresOnTheNext() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loops = [group.next(), group.next()]
        let shards = try await makeShards(loops, closedOrders: [[], [7, 9]])
        let retirement = ClosedModelRetirement(loops: loops, shards: shards)

        let first = try await retirement.retire(aimedAt: 0).get()
        #expect(first == 1)
        #expect(try await closedOrder(loops[1], shards[1]) == [9])

        let second = try await retirement.retire(aimedAt: 1).get()
        #expect(second == 1)
        #expect(try await closedOrder(loops[1], shards[1]) == [])

        let none = try await retirement.retire(aimedAt: 0).get()
        #expect(none == nil)
        try await group.shutdownGracefully()
    }

    private func makeShards(_ loops: [EventLoop], closedOrders: [[Int]]) async throws -> [NIOLoopBound<LoopShard>] {
        var out: [NIOLoopBound<LoopShard>] = []
        for (loop, order) in zip(loops, closedOrders) {
            out.append(try await loop.submit {
                let shard = LoopShard()
                shard.closedOrder = order
                return NIOLoopBound(shard, eventLoop: loop)
            }.get())
        }
        return out
    }

    private func closedOrder(_ loop: EventLoop, _ box: NIOLoopBound<LoopShard>) async throws -> [Int] {
        try await loop.submit { box.value.closedOrder }.get()
    }
}
