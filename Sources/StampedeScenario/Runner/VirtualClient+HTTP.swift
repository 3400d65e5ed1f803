import NIOCore
import StampedeClient
import StampedeJSON

/// Steps that go through the HTTP API: create_workflow (user token) and publish (service token).
extension VirtualClient {
    func createWorkflow(_ s: CreateWorkflowStep) {
        let body: JSONValue = s.kind == .search ? ["type": "search", "query": .string(s.query)] : ["type": "external"]
        let started = EngineClock.monotonicMicros()
        let token = stepToken
        waiter = .ack
        rec.count("workflow.attempts")
        armTimeout(30, code: "create_workflow_timeout")
        ctx.node(forClient: index).http.requestFuture("POST", "/api/v1/workflows",
                               headers: [("Authorization", "Bearer \(ctx.tokens.valid[userIndex])"), ("Content-Type", "application/json")],
                               body: body.serializedBytes)
            .hop(to: loop)
            .assumeIsolated()
            .whenComplete { [self] result in
                guard !finished, token == stepToken else { return }
                let now = EngineClock.monotonicMicros()
                rec.record(MetricName.http, micros: now &- started)
                guard case .success(let r) = result, r.status == 202, let id = (try? r.json())?["workflow_id"]?.stringValue else {
                    rec.count("workflow.failures")
                    let code: String
                    switch result {
                    case .success(let r): code = "http_\(r.status)"
                    case .failure(let e): code = "\(e)"
                    }
                    fail("create_workflow:\(code)")
                    return
                }
                rec.record(MetricName.taskCard, micros: now &- started)
                createdWorkflow = id
                createdAtMicros = started
                createdFirstEventSeen = false
                guard s.subscribe, connection != nil else { advance(); return }
                subscribe(id, since: 0, expected: "ok", timeout: 10) { [self] in advance() }
            }
    }

    func publish(_ p: PublishStep) {
        guard let id = ctx.workflowID(p.workflow, client: index, created: createdWorkflow) else { fail("publish_no_workflow"); return }
        let requests = (p.count + p.batch - 1) / p.batch
        let gap = Double(p.batch) / max(p.rate, 0.001)
        let progress = PublishProgress(remaining: p.count)
        let token = stepToken
        waiter = .timer
        func fire() {
            guard !finished, token == stepToken else { return }
            let n = min(p.batch, progress.remaining)
            progress.remaining -= n
            progress.sentRequests += 1
            progress.outstanding += 1
            let now = EngineClock.wallMicros()
            let events = (0..<n).map { _ in EventPayload.json(type: p.event, payloadBytes: p.payloadBytes, sentAtMicros: now) }
            let started = EngineClock.monotonicMicros()
            rec.count("publish.attempts")
            EventPayload.post(ctx.node(forClient: index).http, token: ctx.tokens.service, workflow: id, events: events).hop(to: loop).assumeIsolated().whenComplete { [self] r in
                progress.outstanding -= 1
                rec.record(MetricName.publish, micros: EngineClock.monotonicMicros() &- started)
                if case .success(let resp) = r, resp.status == 201 { rec.count("events_published", UInt64(n)) } else {
                    rec.count("publish.failures")
                    rec.error("publish_failed")
                }
                if progress.sentRequests == requests && progress.outstanding == 0 && token == stepToken { advance() }
            }
            if progress.sentRequests < requests {
                timer = loop.assumeIsolated().scheduleTask(in: .microseconds(Int64(gap * 1_000_000))) { fire() }
            }
        }
        fire()
    }
}

/// A publish step's counters; touched only on the client's loop.
final class PublishProgress {
    var remaining: Int
    var sentRequests = 0
    var outstanding = 0
    init(remaining: Int) { self.remaining = remaining }
}
