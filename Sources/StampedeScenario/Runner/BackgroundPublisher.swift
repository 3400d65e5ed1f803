import NIOCore
import StampedeClient

/// Scenario-level publishers: a steady rate per workflow (or in total), on one event loop,
/// scheduled from the start of their active stretch so drift never accumulates, `batch` events
/// per request. Each event carries `sent_at_us` (the time its request left).
/// Confined to its loop: the orchestrator holds it through an `NIOLoopBound`.
final class BackgroundPublisher {
    let spec: PublisherSpec
    let ctx: EngineContext
    let loop: EventLoop
    let recorder: LoopRecorder
    var sentPerWorkflow: [Int]
    /// The workflows this shard publishes to: its segment's stripe over workflow indices.
    let owned: [Int]
    var task: RepeatedTask?
    var stopped = false
    /// When the current active stretch began (run seconds) and what had been sent by then.
    /// The schedule counts from here, not from the run's zero: counting from zero made a
    /// publisher limited to `steady` owe rate × ramp events at its first tick and fire them
    /// as one burst (e.g. 50 workflows × 32 events at once), whose queueing showed up as
    /// publish / event_delivery p99 of ~1 s on a server that answers in a few ms.
    var activeSince: Double?
    var sentAtActivation: [Int] = []
    /// Requests sent and not yet answered. Each holds an HTTP connection (a file), so when the
    /// server falls behind an open-model publisher must not pile them up without limit: past
    /// `maxInFlight` a due request is dropped and counted (`publish_dropped`), the way k6
    /// counts dropped iterations — overload is shown, never hidden and never fatal to the run.
    var inFlight = 0
    let maxInFlight = 512

    init(spec: PublisherSpec, ctx: EngineContext, loop: EventLoop, recorder: LoopRecorder) {
        self.spec = spec
        self.ctx = ctx
        self.loop = loop
        self.recorder = recorder
        sentPerWorkflow = Array(repeating: 0, count: ctx.workflowIDs.count)
        owned = ctx.workflowIDs.indices.filter { ctx.plan.segment.owns($0) }
    }

    /// Ticks every 10 ms; at each tick sends what the rate says is due by now.
    func start() {
        // The repeated task's closure is @Sendable; the loop-bound handle says (and checks) that
        // it only ever runs on the publisher's own loop.
        let bound = NIOLoopBound(self, eventLoop: loop)
        task = loop.scheduleRepeatedTask(initialDelay: .milliseconds(10), delay: .milliseconds(10)) { _ in bound.value.tick() }
    }

    func tick() {
        guard !stopped else { return }
        let now = ctx.now()
        guard now < ctx.plan.duration else { stop(); return }
        if !spec.phases.isEmpty {
            guard let p = ctx.plan.phaseIndex(at: now), spec.phases.contains(ctx.plan.windows[p].name) else {
                activeSince = nil
                return
            }
        }
        let n = ctx.workflowIDs.count
        guard n > 0 else { return }
        if activeSince == nil {
            activeSince = now
            sentAtActivation = sentPerWorkflow
        }
        let elapsed = now - activeSince!
        let perWorkflowRate = spec.perWorkflow ? spec.rate : spec.rate / Double(n)
        let k = spec.batch
        for w in owned {
            // Workflow w runs w/n of a request's period ahead, so the workflows' sends are spread
            // evenly over each period instead of all falling due on the same tick (a synchronized
            // burst of n requests every period, each waiting behind the others' fan-out).
            let due = sentAtActivation[w] + Int(perWorkflowRate * elapsed + Double(k) * Double(w) / Double(n))
            // `batch: K` sends K events per request at the stated rate (rate / K requests per
            // second): a workflow's events wait until K are due, so the events of a request
            // meet the server — and each subscriber's socket — together.
            var pending = due - sentPerWorkflow[w]
            guard pending >= k else { continue }
            // Never let a stalled server turn into an unbounded backlog burst: cap one tick's
            // catch-up at ten requests.
            pending = min(pending, k * 10)
            for _ in 0..<(pending / k) {
                send(w, count: k)
                sentPerWorkflow[w] += k
            }
            sentPerWorkflow[w] = max(sentPerWorkflow[w], due - k * 10)
        }
    }

    func send(_ w: Int, count: Int, status: String? = nil, type: String? = nil) {
        guard inFlight < maxInFlight else {
            recorder.count("publish.attempts")
            recorder.count("publish.failures")
            recorder.error("publish_dropped")
            return
        }
        inFlight += 1
        let now = EngineClock.wallMicros()
        let events = (0..<count).map { _ in EventPayload.json(type: type ?? spec.event, payloadBytes: spec.payloadBytes, sentAtMicros: now, status: status) }
        let started = EngineClock.monotonicMicros()
        recorder.count("publish.attempts")
        EventPayload.post(ctx.node(forWorkflow: w).http, token: ctx.tokens.service, workflow: ctx.workflowIDs[w], events: events, on: loop)
            .hop(to: loop).assumeIsolated().whenComplete { [self] r in
                inFlight -= 1
                recorder.record(MetricName.publish, micros: EngineClock.monotonicMicros() &- started)
                if case .success(let resp) = r, resp.status == 201 {
                    recorder.count("events_published", UInt64(count))
                } else {
                    recorder.count("publish.failures")
                    switch r {
                    case .success(let resp): recorder.error("publish_http_\(resp.status)")
                    case .failure(let e): recorder.error("publish_failed:" + String("\(e)".prefix(60)))
                    }
                }
            }
    }

    func stop() {
        stopped = true
        task?.cancel()
        task = nil
    }

    /// Ends every workflow with `workflow_status completed` (terminal check material).
    func completeAll() {
        for w in owned { send(w, count: 1, status: "completed", type: "workflow_status") }
    }
}
