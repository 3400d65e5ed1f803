import NIOConcurrencyHelpers
import NIOCore

/// Plays the plan's intended start times against the real clock, always measured from the
/// run's zero (k6's constant-arrival-rate lesson: sleeping "interval" per step drifts).
/// Clients live on the loops; this only hands each start to its loop.
final class Dispatcher: Sendable {
    let ctx: EngineContext
    let loops: [EventLoop]
    let shards: [NIOLoopBound<LoopShard>]
    /// The loops (indices) each group's clients are spread over: the reactor's for plain
    /// WebSocket groups, NIO's for the rest (`ClientLoops`).
    let poolOfGroup: [[Int]]
    let stopping = NIOLockedValueBox(false)
    let retireCounter = NIOLockedValueBox(0)

    init(ctx: EngineContext, loops: [EventLoop], shards: [NIOLoopBound<LoopShard>], poolOfGroup: [[Int]]) {
        self.ctx = ctx
        self.loops = loops
        self.shards = shards
        self.poolOfGroup = poolOfGroup
    }

    var isStopping: Bool { stopping.withLockedValue { $0 } }

    func run() async {
        // A shard owns every N-th index: spread its own starts over the loops, not the indices.
        var started = 0
        for event in ctx.plan.events() {
            let dueMicros = ctx.micros(atOffset: event.at)
            let now = EngineClock.monotonicMicros()
            if dueMicros > now + 1000 { try? await Task.sleep(nanoseconds: (dueMicros - now) * 1000) }
            if isStopping || Task.isCancelled { return }
            switch event {
            case .start(let s):
                start(s, slot: started)
                started += 1
            case .retire: retire()
            }
        }
    }

    func start(_ s: PlannedStart, slot: Int) {
        let pool = poolOfGroup[ctx.assignment.group(s.index)]
        let i = pool[slot % pool.count]
        let loop = loops[i]
        let shardBox = shards[i]
        let intended = ctx.micros(atOffset: s.at)
        loop.execute { [self] in
            guard !isStopping else { return }
            let lag = EngineClock.monotonicMicros() &- intended
            let shard = shardBox.value
            if lag > 1_000_000 { shard.recorder.count("dispatch.late") }
            launch(s, shard: shard, loop: loop, intended: s.open ? intended : nil)
        }
    }

    func launch(_ s: PlannedStart, shard: LoopShard, loop: EventLoop, intended: UInt64?) {
        let group = ctx.scenario.groups[ctx.assignment.group(s.index)]
        let client = VirtualClient(index: s.index, ctx: ctx, shard: shard, loop: loop, group: group, intendedStartMicros: intended)
        shard.clients[s.index] = client
        if !s.open { shard.closedOrder.append(s.index) }
        shard.recorder.count("sessions.started")
        let startedAt = ctx.now()
        client.onEnd = { [self] c, replace in
            shard.clients[c.index] = nil
            shard.recorder.count("sessions.ended")
            guard replace, !s.open, !isStopping else {
                shard.closedOrder.removeAll { $0 == c.index }
                return
            }
            // Closed model: keep the concurrency by starting the slot again, at most once a second.
            let wait = max(0, 1 - (ctx.now() - startedAt))
            loop.assumeIsolated().scheduleTask(in: .microseconds(Int64(wait * 1_000_000))) { [self] in
                guard !isStopping, shard.closedOrder.contains(c.index), ctx.now() < ctx.plan.duration else {
                    shard.closedOrder.removeAll { $0 == c.index }
                    return
                }
                shard.closedOrder.removeAll { $0 == c.index }
                launch(s, shard: shard, loop: loop, intended: nil)
            }
        }
        client.start()
    }

    /// Ramp-down: one closed-model client leaves, aimed round-robin over the loops.
    func retire() {
        let n = retireCounter.withLockedValue { v -> Int in defer { v += 1 }; return v }
        ClosedModelRetirement(loops: loops, shards: shards).retire(aimedAt: n)
    }

    /// Stops every client (clean close) and waits until each loop has done so.
    func stopAll() async {
        stopping.withLockedValue { $0 = true }
        for (i, loop) in loops.enumerated() {
            let shardBox = shards[i]
            try? await loop.submit {
                let shard = shardBox.value
                for c in Array(shard.clients.values) { c.end(replace: false) }
                shard.closedOrder.removeAll()
            }.get()
        }
    }
}
