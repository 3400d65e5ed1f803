import NIOCore
import StampedeClient
import StampedeJSON

/// One simulated user session: a small state machine stepping through its group's steps,
/// driven entirely by callbacks on its connection's event loop (no Task, no lock).
final class VirtualClient {
    // What the receive path reads for every delivered event comes first, together: the stored
    // properties of a class are laid out in this order, and with 10,000 clients the object is
    // cold when an event arrives; a few adjacent cache lines cost less than ten scattered ones
    // (docs/BENCHMARKS.md §18).
    var connection: ClientConnection?
    // `@exclusivity(unchecked)`: loop-confined per-delivery state (docs/ARCHITECTURE.md, "Threads and confinement").
    @exclusivity(unchecked) var finished = false
    /// The shard's recorder, held directly: the receive path calls it several times per event,
    /// and a stored `let` is read without the retain a computed `shard.recorder` costs each time.
    let rec: LoopRecorder
    @exclusivity(unchecked) var waiter: Waiter = .none
    // The checks this client feeds (Checks/): each holds only its own state.
    /// What this socket is subscribed to, and so entitled to receive.
    @exclusivity(unchecked) var isolation = IsolationCheck()
    @exclusivity(unchecked) var sequence = SequenceCheck()
    @exclusivity(unchecked) var terminal = TerminalCheck()
    /// Wall-clock micros of each workflow's latest subscribe with `since` or recovered reconnect: an event
    /// sent before it reached this client by replay, not live.
    @exclusivity(unchecked) var liveSince = WorkflowMap<UInt64>()
    @exclusivity(unchecked) var lastOffset: String?
    var createdWorkflow: String?

    let index: Int
    let ctx: EngineContext
    let shard: LoopShard
    let loop: EventLoop
    let steps: [Step]
    let userIndex: Int
    let userID: String
    /// Open-model sessions measure their first connect from the intended start (coordinated omission).
    let intendedStartMicros: UInt64?
    /// Whether this client's own steps spam (rate_limit_isolated watches the others).
    let spams: Bool
    var onEnd: ((VirtualClient, _ replace: Bool) -> Void)?

    var pc = 0
    /// Bumped whenever a step completes or times out, so late callbacks of an old step are ignored.
    var stepToken = 0
    var timer: Scheduled<Void>?
    var connectStep = ConnectStep()
    var connectStartMicros: UInt64 = 0
    var openMicros: UInt64 = 0
    var connectedAs: String?
    /// The user counted in the connection gauges while this socket is up.
    var countedUser: String?
    /// A silently abandoned socket still counts on the server until its heartbeat drops it.
    var silentConnection: ClientConnection?
    var silentUser: String?
    var silentCounted: Set<String> = []
    var closingOnPurpose = false
    var firstConnectDone = false
    var pid: String?
    var reconnectStartMicros: UInt64 = 0
    /// Reconnects so far: with several nodes, each one moves the client to the next node, as a
    /// balancer may (recovery and `since` must hold on whichever node the client reaches).
    var reconnects = 0
    var pendingResubscribes = 0

    /// Counted in the stats gauges (ack seen, connection still up).
    var counted: Set<String> = []
    /// Subscriptions held before a disconnect, to resume.
    var resumeSet: Set<String> = []

    var heartbeat: HeartbeatCheck
    /// The spam step in progress, if any.
    var spam: SpamTally?

    var createdAtMicros: UInt64 = 0
    var createdFirstEventSeen = false

    enum Waiter {
        case none
        case connect
        case event(type: String?, status: String?, remaining: Int)
        case ack
        case timer
        /// Not reading: the server is expected to disconnect this slow consumer.
        case slowConsumer
    }

    init(index: Int, ctx: EngineContext, shard: LoopShard, loop: EventLoop, group: ClientGroup, intendedStartMicros: UInt64?) {
        self.index = index
        self.ctx = ctx
        self.shard = shard
        rec = shard.recorder
        self.loop = loop
        steps = Self.flatten(group.steps)
        userIndex = ctx.assignment.userIndex(index)
        userID = ctx.assignment.userID(index)
        self.intendedStartMicros = intendedStartMicros
        spams = steps.contains { if case .spam = $0 { return true } else { return false } }
        heartbeat = HeartbeatCheck(slackMicros: ctx.heartbeatSlackMicros)
    }

    static func flatten(_ steps: [Step]) -> [Step] {
        steps.flatMap { s -> [Step] in
            if case .repeatSteps(let n, let inner) = s { return Array(repeating: flatten(inner), count: n).flatMap { $0 } }
            return [s]
        }
    }

    func start() { runStep() }

    /// The current step finished: move on (on the loop, never re-entrantly deep).
    func advance() {
        guard !finished else { return }
        stepToken &+= 1
        timer?.cancel()
        timer = nil
        waiter = .none
        pc += 1
        runStep()
    }

    /// The session cannot go on (unexpected failure): count it and end.
    func fail(_ code: String) {
        guard !finished else { return }
        rec.error(code)
        end(replace: true)
    }

    /// Stops the session; `replace` lets a closed-model slot start a new one.
    func end(replace: Bool) {
        guard !finished else { return }
        finished = true
        stepToken &+= 1
        timer?.cancel()
        timer = nil
        if let c = connection {
            closingOnPurpose = true
            c.close(.clean)
        }
        onEnd?(self, replace)
        onEnd = nil
    }

    func armTimeout(_ seconds: Double, code: String) {
        let token = stepToken
        timer = loop.assumeIsolated().scheduleTask(in: .microseconds(Int64(seconds * 1_000_000))) { [self] in
            guard token == stepToken, !finished else { return }
            fail(code)
        }
    }

    func after(_ seconds: Double, _ body: @escaping () -> Void) {
        let token = stepToken
        waiter = .timer
        timer = loop.assumeIsolated().scheduleTask(in: .microseconds(Int64(max(0, seconds) * 1_000_000))) { [self] in
            guard token == stepToken, !finished else { return }
            body()
        }
    }

    func runStep() {
        guard !finished else { return }
        guard pc < steps.count else { end(replace: true); return }
        switch steps[pc] {
        case .connect(let s): connect(s, recovery: nil)
        case .subscribe(let s): subscribeStep(s)
        case .createWorkflow(let s): createWorkflow(s)
        case .await(let a): awaitStep(a)
        case .publish(let p): publish(p)
        case .think(let t): after(Double.random(in: t.minSeconds...max(t.minSeconds, t.maxSeconds))) { [self] in advance() }
        case .unsubscribe(let w): unsubscribe(w)
        case .disconnect(let mode): disconnect(mode)
        case .reconnect(let r): reconnect(r)
        case .spam(let s): spam(s)
        case .pauseReading(let seconds): pauseReading(seconds)
        case .repeatSteps: advance()  // flattened at init; never reached
        }
    }

    func awaitStep(_ a: AwaitStep) {
        let now = ctx.now()
        switch a.until {
        case .runEnd:
            // Stay connected through the drain: the run's shutdown ends the session.
            waiter = .timer
        case .phaseEnd:
            let end = ctx.plan.phaseIndex(at: now).map { ctx.plan.windows[$0].end } ?? now
            after(end - now) { [self] in advance() }
        case .phaseStart(let name):
            let start = ctx.plan.windows.first { $0.name == name }?.start ?? now
            after(start - now) { [self] in advance() }
        case .event(let type, let status, let count):
            waiter = .event(type: type, status: status, remaining: count)
            if let t = a.timeout { armTimeout(t, code: "await_timeout") }
        }
    }
}
