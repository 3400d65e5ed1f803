import StampedeClient

/// The hot path: every delivered EVENT goes through the ordering / isolation / terminal /
/// recovery observers and one latency record. No allocation beyond the event itself.
extension VirtualClient {
    func connection(_ c: ClientConnection, didReceive event: ReceivedEvent) {
        guard c === connection, !finished else { return }
        rec.count("events_received")
        guard let w = event.workflowID else {
            if event.name == "error" { receivedErrorEvent(event) }
            return
        }
        if let sent = RawScan.uint(after: RawScan.sentAtKey, in: event.raw) {
            let now = EngineClock.wallMicros()
            let replayed = sent < (liveSince[w] ?? 0)
            rec.record(replayed ? MetricName.eventReplay : MetricName.eventDelivery, micros: now > sent ? now - sent : 1)
            // The server's clock against ours (shards on other hosts: skew biases event_delivery);
            // one event in eight is plenty for a minimum and keeps the hot path cheap.
            if rec.clockTick(), let ts = RawScan.millisAsMicros(after: RawScan.tsKey, in: event.raw) {
                rec.clockGap(Int64(bitPattern: now) - Int64(bitPattern: ts))
            }
        }
        if !subscribed.contains(w) && !unsubscribing.contains(w) {
            ctx.report(.isolation, client: index, workflow: w, expected: "no event (not subscribed)",
                       seen: "\(event.name) seq \(event.seq.map(String.init) ?? "?")")
        } else {
            rec.count("checked.isolation")
        }
        if terminal.contains(w) {
            ctx.report(.terminal, client: index, workflow: w, expected: "nothing after the terminal workflow_status",
                       seen: "\(event.name) seq \(event.seq.map(String.init) ?? "?")")
        }
        if let seq = event.seq { observeSeq(w, seq) }
        if let off = event.offset { lastOffset = off }
        var status: Substring?
        if event.name == "workflow_status" {
            status = RawScan.string(after: RawScan.statusKey, in: event.raw)
            if let s = status, s == "completed" || s == "failed" || s == "cancelled" {
                terminal.insert(w)
                rec.count("checked.terminal")
                if w == createdWorkflow { rec.record(MetricName.completed, micros: EngineClock.monotonicMicros() &- createdAtMicros) }
            }
        }
        if w == createdWorkflow {
            if !createdFirstEventSeen {
                createdFirstEventSeen = true
                rec.record(MetricName.firstEvent, micros: EngineClock.monotonicMicros() &- createdAtMicros)
            }
            if event.name == "search_results" {
                rec.record(MetricName.results, micros: EngineClock.monotonicMicros() &- createdAtMicros)
            }
        }
        if case .event(let type, let wantStatus, let remaining) = waiter {
            if let type, type != event.name { return }
            if let wantStatus {
                if status == nil { status = RawScan.string(after: RawScan.statusKey, in: event.raw) }
                guard let status, status == wantStatus else { return }
            }
            if remaining <= 1 { advance() } else { waiter = .event(type: type, status: wantStatus, remaining: remaining - 1) }
        }
    }

    /// Contract §5.1: seq increases by exactly one per workflow from the subscribe on;
    /// §5.4: the first event after a reconnect continues right after the last one seen.
    @inline(__always) func observeSeq(_ w: String, _ seq: Int64) {
        guard let last = lastSeq[w] else {
            lastSeq[w] = seq
            rec.count("checked.ordering")
            return
        }
        let crossedReconnect = resumed.remove(w) != nil
        if seq == last + 1 {
            lastSeq[w] = seq
            rec.count("checked.ordering")
            if crossedReconnect { rec.count("checked.recovery") }
            return
        }
        if seq <= last {
            ctx.report(.ordering, client: index, workflow: w, expected: "seq \(last + 1)",
                       seen: "seq \(seq) (\(seq == last ? "duplicate" : "out of order"))")
            return
        }
        let missed = UInt64(seq - last - 1)
        if crossedReconnect {
            ctx.report(.recovery, client: index, workflow: w, expected: "seq \(last + 1) after reconnect", seen: "seq \(seq) (\(missed) missed)")
            rec.count("recovery.missed_events", missed)
        } else {
            ctx.report(.ordering, client: index, workflow: w, expected: "seq \(last + 1)", seen: "seq \(seq) (gap of \(missed))")
        }
        lastSeq[w] = seq
    }
}
