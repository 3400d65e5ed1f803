import StampedeClient

/// The generator's receive path, top to bottom: every delivered EVENT (already scanned once by
/// `EventScanner`: name, workflow, seq, ts, status, sent_at_us) is timed, judged by the
/// isolation, terminal, ordering and recovery checks, and may complete an `await` step.
/// No allocation beyond the event itself; a violation's text is built only when one happens.
extension VirtualClient {
    func connection(_ c: ClientConnection, didReceive event: ReceivedEvent) {
        guard c === connection, !finished else { return }
        rec.eventReceived()
        guard let w = event.workflowID else {
            if event.name == "error" { receivedErrorEvent(event) }
            return
        }
        recordLatency(event, workflow: w)
        judge(.isolation, isolation.observe(w, event: event.name, seq: event.seq).judgement, workflow: w)
        let end = terminal.observe(w, event: event.name, seq: event.seq, status: event.status)
        judge(.terminal, end.judgement, workflow: w)
        if let seq = event.seq {
            let order = sequence.observe(w, seq: seq)
            judge(.ordering, order.ordering, workflow: w)
            judge(.recovery, order.recovery, workflow: w)
            if case .gap(_, _, true) = order { rec.count("recovery.missed_events", order.missed) }
        }
        if let off = event.offset { lastOffset = off }
        if w == createdWorkflow { recordCreatedWorkflowMilestones(event, becameTerminal: end == .becameTerminal) }
        if case .event(let type, let wantStatus, let remaining) = waiter {
            if let type, type != event.name { return }
            if let wantStatus, event.status != wantStatus { return }
            if remaining <= 1 { advance() } else { waiter = .event(type: type, status: wantStatus, remaining: remaining - 1) }
        }
    }

    /// Every check's judgement goes through here: an observation is the evidence that a passing
    /// check ran; a violation goes to the ledger (when the scenario asked for that check).
    @inline(__always) func judge(_ check: CheckKind, _ judgement: CheckJudgement, workflow: String? = nil) {
        switch judgement {
        case .none: return
        case .observed: rec.observed(check)
        case .violated(let expected, let seen): ctx.report(check, client: index, workflow: workflow, expected: expected, seen: seen)
        }
    }

    /// `sent_at_us` → now is the event's latency: `event_replay` when it was sent before this
    /// client's latest (re)subscribe or recovered reconnect (it arrived by replay, not live).
    private func recordLatency(_ event: ReceivedEvent, workflow w: String) {
        guard let sent = event.sentAtMicros else { return }
        let now = EngineClock.wallMicros()
        let replayed = sent < (liveSince[w] ?? 0)
        rec.recordDelivery(micros: now > sent ? now - sent : 1, replayed: replayed)
        // The server's clock against ours (shards on other hosts: skew biases event_delivery);
        // one event in eight is plenty for a minimum and keeps the hot path cheap.
        if rec.clockTick(), let ts = event.tsMicros {
            rec.clockGap(Int64(bitPattern: now) - Int64(bitPattern: ts))
        }
    }

    /// The workflow this client created: time to its first event, its results and its end.
    private func recordCreatedWorkflowMilestones(_ event: ReceivedEvent, becameTerminal: Bool) {
        let elapsed = EngineClock.monotonicMicros() &- createdAtMicros
        if becameTerminal { rec.record(MetricName.completed, micros: elapsed) }
        if !createdFirstEventSeen {
            createdFirstEventSeen = true
            rec.record(MetricName.firstEvent, micros: elapsed)
        }
        if event.name == "search_results" { rec.record(MetricName.results, micros: elapsed) }
    }
}
