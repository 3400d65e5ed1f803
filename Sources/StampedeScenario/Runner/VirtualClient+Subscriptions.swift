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
        let wasSubscribed = subscribed.contains(id)
        if expected == "ok" {
            liveSince[id] = EngineClock.wallMicros()
            subscribed.insert(id)
            if let since { lastSeq[id] = since } else if !wasSubscribed { lastSeq[id] = nil }
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
            if outcome != "ok" && !wasSubscribed { subscribed.remove(id) }
            if !spams {
                if outcome == "rate_limited" {
                    ctx.report(.rateLimitIsolated, client: index, workflow: id, expected: "not rate limited (this client never spams)",
                               seen: "rate_limited")
                } else {
                    rec.count("checked.rate_limit_isolated")
                }
            }
            guard token == stepToken else { return }
            if outcome == expected {
                if expected != "ok" { rec.count("checked.isolation") }
                done()
                return
            }
            if isOtherProbe && outcome == "ok" {
                ctx.report(.isolation, client: index, workflow: id, expected: "forbidden (another user's workflow)", seen: "ok")
            }
            rec.count("subscribe.failures")
            fail("subscribe:\(outcome)")
        }
    }

    func unsubscribe(_ ref: WorkflowRef) {
        guard let id = ctx.workflowID(ref, client: index, created: createdWorkflow), let c = connection else { advance(); return }
        unsubscribing.insert(id)
        waiter = .ack
        let token = stepToken
        armTimeout(10, code: "unsubscribe_timeout")
        c.emit("unsubscribe", [["workflow_id": .string(id)]]) { [self] result in
            guard !finished, token == stepToken else { return }
            subscribed.remove(id)
            unsubscribing.remove(id)
            lastSeq[id] = nil
            if counted.remove(id) != nil { rec.workflowSubscribed(id, -1) }
            if case .failure(let e) = result { fail("unsubscribe_failed:\(e)"); return }
            advance()
        }
    }

    /// Sends requests faster than the per-socket bucket allows, counting refusals.
    func spam(_ s: SpamStep) {
        guard let c = connection else { fail("spam_not_connected"); return }
        spamming = true
        rateLimitedSeen = 0
        let total = max(1, Int(s.rate * s.duration))
        let gap = 1.0 / max(s.rate, 0.001)
        let target = ctx.workflowID(.own, client: index, created: createdWorkflow) ?? "stampede-spam-\(index)"
        var sent = 0
        let token = stepToken
        // Spamming `subscribe` subscribes for real (the first ones fit the bucket): account for it
        // before the first ack, as `subscribe` does, so isolation and stats stay exact.
        let subscribes = s.event == "subscribe"
        if subscribes && !subscribed.contains(target) { subscribed.insert(target); lastSeq[target] = nil }
        func fire() {
            guard !finished, token == stepToken, let conn = connection, conn === c else { return }
            sent += 1
            rec.count("spam.sent")
            conn.emit(s.event, [["workflow_id": .string(target)]]) { [self] result in
                guard case .success(let args) = result else { return }
                if args.first?["error"]?["code"]?.stringValue == "rate_limited" {
                    rateLimitedSeen += 1
                    rec.count("spam.rate_limited")
                } else if subscribes, args.first?["ok"]?.boolValue == true, !counted.contains(target), connection != nil {
                    counted.insert(target)
                    rec.workflowSubscribed(target, 1)
                }
            }
            if sent < total {
                timer = loop.scheduleTask(in: .microseconds(Int64(gap * 1_000_000))) { fire() }
            } else {
                // Give the last acks a moment, then judge.
                timer = loop.scheduleTask(in: .milliseconds(500)) { [self] in
                    guard token == stepToken else { return }
                    judgeSpam(s, sent: sent)
                }
            }
        }
        fire()
    }

    func judgeSpam(_ s: SpamStep, sent: Int) {
        spamming = false
        let limit = ctx.scenario.server["rate_limit_events_per_second"]?.doubleValue ?? 10
        let burst = ctx.scenario.server["rate_limit_burst"]?.doubleValue ?? 20
        let allowed = burst + limit * s.duration
        if Double(sent) > allowed * 1.2 {
            if rateLimitedSeen == 0 {
                ctx.report(.rateLimitEnforced, client: index, workflow: nil,
                           expected: "rate_limited after ~\(Int(allowed)) of \(sent) requests", seen: "no refusal")
            } else {
                rec.count("checked.rate_limit_enforced")
            }
        }
        advance()
    }

    /// `error` events (requests without an ack) carry the same refusals.
    func receivedErrorEvent(_ event: ReceivedEvent) {
        guard event.raw.contains("rate_limited") else { return }
        if spamming { rateLimitedSeen += 1; rec.count("spam.rate_limited"); return }
        if !spams {
            ctx.report(.rateLimitIsolated, client: index, workflow: nil, expected: "no rate limiting", seen: "error event rate_limited")
        }
    }
}
