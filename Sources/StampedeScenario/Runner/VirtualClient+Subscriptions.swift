import NIOCore
import StampedeClient
import StampedeJSON

/// subscribe / unsubscribe / spam: the acked requests and what their replies prove.
extension VirtualClient {
    func subscribeStep(_ s: SubscribeStep) {
        guard let id = ctx.workflowID(s.workflow, client: index, created: createdWorkflow) else {
            fail("subscribe_no_workflow")
            return
        }
        waiter = .ack
        subscribe(id, since: s.since, expected: s.expectedOutcome, timeout: s.timeout, isOtherProbe: s.workflow == .other) { [self] in
            advance()
        }
    }

    /// Sends one `subscribe`; `done` runs once the reply matched what was expected.
    func subscribe(_ id: String, since: Int64?, expected: String, timeout: Double, isOtherProbe: Bool = false,
                   done: @escaping () -> Void) {
        guard let c = connection else { fail("subscribe_not_connected"); return }
        var payload: JSONObject = ["workflow_id": .string(id)]
        if let since { payload["since"] = .int(since) }
        // Registered before the ack: the ack and the first events may arrive in either order.
        let wasSubscribed = isolation.isSubscribed(id)
        if expected == "ok" {
            // Only a subscribe with `since` is answered by replay: without it every event is live,
            // even one stamped a moment before this subscribe (its publish raced the subscribe to
            // the server and lost; it was counted as a replay, ReplayedDeliveryTests caught it).
            if since != nil { liveSince[id] = EngineClock.wallMicros() } else { liveSince[id] = nil }
            isolation.subscribing(id)
            sequence.subscribing(id, since: since, alreadySubscribed: wasSubscribed)
            c.expectEvents(forWorkflow: id)
        }
        let sent = EngineClock.monotonicMicros()
        let token = stepToken
        rec.count("subscribe.attempts")
        armTimeout(timeout, code: "subscribe_timeout")
        c.emit("subscribe", [.object(payload)]) { [self] result in
            guard !finished else { return }
            rec.record(MetricName.subscribeAck, micros: EngineClock.monotonicMicros() &- sent)
            let outcome: String
            switch result {
            case .success(let args):
                let reply = args.first ?? .null
                outcome = reply["ok"]?.boolValue == true ? "ok" : (reply["error"]?["code"]?.stringValue ?? "malformed_reply")
            case .failure(let e):
                guard token == stepToken else { return }
                rec.count("subscribe.failures")
                fail("subscribe_failed:\(e)")
                return
            }
            if outcome == "ok", !counted.contains(id), connection != nil {
                counted.insert(id)
                rec.workflowSubscribed(id, 1)
            }
            if outcome != "ok" && !wasSubscribed { isolation.refused(id) }
            if !spams { judge(.rateLimitIsolated, RefusalChecks.rateLimitIsolated(outcome: outcome), workflow: id) }
            guard token == stepToken else { return }
            if outcome == expected {
                if expected != "ok" { judge(.isolation, IsolationCheck.Outcome.refusedAsExpected.judgement, workflow: id) }
                done()
                return
            }
            if isOtherProbe && outcome == "ok" {
                judge(.isolation, IsolationCheck.Outcome.otherUsersWorkflowAccepted.judgement, workflow: id)
            }
            rec.count("subscribe.failures")
            fail("subscribe:\(outcome)")
        }
    }

    func unsubscribe(_ ref: WorkflowRef) {
        guard let id = ctx.workflowID(ref, client: index, created: createdWorkflow), let c = connection else { advance(); return }
        isolation.unsubscribing(id)
        waiter = .ack
        let token = stepToken
        armTimeout(10, code: "unsubscribe_timeout")
        c.emit("unsubscribe", [["workflow_id": .string(id)]]) { [self] result in
            guard !finished, token == stepToken else { return }
            isolation.unsubscribed(id)
            sequence.forget(id)
            if counted.remove(id) != nil { rec.workflowSubscribed(id, -1) }
            if case .failure(let e) = result { fail("unsubscribe_failed:\(e)"); return }
            advance()
        }
    }

    /// Sends requests faster than the per-socket bucket allows, counting refusals.
    func spam(_ s: SpamStep) {
        guard let c = connection else { fail("spam_not_connected"); return }
        spam = SpamTally()
        let total = max(1, Int(s.rate * s.duration))
        let gap = 1.0 / max(s.rate, 0.001)
        let target = ctx.workflowID(.own, client: index, created: createdWorkflow) ?? "stampede-spam-\(index)"
        var sent = 0
        let token = stepToken
        // Spamming `subscribe` subscribes for real (the first ones fit the bucket): account for it
        // before the first ack, as `subscribe` does, so isolation and stats stay exact.
        let subscribes = s.event == "subscribe"
        if subscribes && !isolation.isSubscribed(target) {
            isolation.subscribing(target)
            sequence.forget(target)
        }
        func fire() {
            guard !finished, token == stepToken, let conn = connection, conn === c else { return }
            sent += 1
            spam?.sentOne()
            rec.count("spam.sent")
            conn.emit(s.event, [["workflow_id": .string(target)]]) { [self] result in
                guard case .success(let args) = result else { return }
                if args.first?["error"]?["code"]?.stringValue == "rate_limited" {
                    spam?.refusedOne()
                    rec.count("spam.rate_limited")
                } else if subscribes, args.first?["ok"]?.boolValue == true, !counted.contains(target), connection != nil {
                    counted.insert(target)
                    rec.workflowSubscribed(target, 1)
                }
            }
            if sent < total {
                timer = loop.assumeIsolated().scheduleTask(in: .microseconds(Int64(gap * 1_000_000))) { fire() }
            } else {
                // Give the last acks a moment, then judge.
                timer = loop.assumeIsolated().scheduleTask(in: .milliseconds(500)) { [self] in
                    guard token == stepToken else { return }
                    judgeSpam(s)
                }
            }
        }
        fire()
    }

    func judgeSpam(_ s: SpamStep) {
        let server = ServerOptions(ctx.scenario.server)
        let limit = server.double(.rateLimitEventsPerSecond) ?? 10
        let burst = server.double(.rateLimitBurst) ?? 20
        judge(.rateLimitEnforced, spam?.judgement(ratePerSecond: limit, burst: burst, seconds: s.duration) ?? .none)
        spam = nil
        advance()
    }

    /// `error` events (requests without an ack) carry the same refusals.
    func receivedErrorEvent(_ event: ReceivedEvent) {
        guard event.rawContains("rate_limited") else { return }
        if spam != nil { spam?.refusedOne(); rec.count("spam.rate_limited"); return }
        if !spams { judge(.rateLimitIsolated, .violated(expected: "no rate limiting", seen: "error event rate_limited")) }
    }
}
