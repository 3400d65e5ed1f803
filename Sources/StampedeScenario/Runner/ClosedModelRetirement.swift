import NIOCore

/// Ramp-downs: the oldest closed-model client of one loop leaves cleanly. Retirements are aimed
/// round-robin over the loops; a loop that has no closed-model client (open-model arrivals
/// landed there, or its clients already ended) passes the retirement on to the next loop, so a
/// ramp-down is never dropped while any loop still holds a closed-model client.
struct ClosedModelRetirement: Sendable {
    let loops: [EventLoop]
    let shards: [NIOLoopBound<LoopShard>]

    /// Retires one client, trying loop `aimedAt` first; the future gives the loop that retired
    /// one, or nil when no loop had a closed-model client.
    @discardableResult
    func retire(aimedAt first: Int) -> EventLoopFuture<Int?> {
        let start = first % loops.count
        let promise = loops[start].makePromise(of: Int?.self)
        attempt(start: start, tried: 0, promise: promise)
        return promise.futureResult
    }

    private func attempt(start: Int, tried: Int, promise: EventLoopPromise<Int?>) {
        guard tried < loops.count else { return promise.succeed(nil) }
        let i = (start + tried) % loops.count
        let box = shards[i]
        loops[i].execute {
            let shard = box.value
            guard let oldest = shard.closedOrder.first else {
                return attempt(start: start, tried: tried + 1, promise: promise)
            }
            shard.closedOrder.removeFirst()
            shard.clients[oldest]?.end(replace: false)
            promise.succeed(i)
        }
    }
}
