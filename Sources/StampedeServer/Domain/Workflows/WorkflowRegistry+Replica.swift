import Foundation
import NIOCore
import StampedeContract
import StampedeJSON

/// Cluster mode: the registry as one node's replica of the journal. Events
/// arrive already stamped (seq and position from the publishing
/// transaction), in position order, and go through the same append and
/// hand-off as a local publish — so delivery order per socket is the
/// journal's commit order.
extension WorkflowRegistry {
    /// A workflow created on this node (already recorded in the journal).
    func insertCreated(_ card: TaskCard) {
        adopt(JournaledWorkflow(card: card, lastSeq: 0, events: []))
    }

    /// Adds a workflow read from the journal, unless the node has it.
    /// Returns false when it was already known.
    @discardableResult
    func adopt(_ w: JournaledWorkflow) -> Bool {
        let record = WorkflowRecord(id: w.card.workflowID, type: w.card.type, ownerUserID: w.card.userID,
                                    query: w.card.query, createdAt: w.card.createdAt)
        return lock.withLock {
            guard workflows[record.id] == nil else { return false }
            record.lastSeq = w.lastSeq
            for e in w.events.suffix(historyLimit) {
                record.history.append(stored(e))
            }
            if w.card.status != .pending { transition(record, to: w.card.status) }
            workflows[record.id] = record
            return true
        }
    }

    /// Applies journaled events, in position order. Events of workflows this
    /// node does not hold are skipped (it reads them from the journal when
    /// asked); a seq already applied is skipped; a gap drops the node's copy
    /// so that the next read loads it whole again.
    func applyJournaled(_ events: [JournaledEvent]) {
        var i = 0
        while i < events.count {
            let id = events[i].workflowID
            var j = i
            while j < events.count, events[j].workflowID == id { j += 1 }
            applyRun(events[i..<j])
            i = j
        }
    }

    private func stored(_ e: JournaledEvent) -> StoredEvent {
        let event = WorkflowEvent(workflowID: e.workflowID, seq: e.seq, ts: e.ts, body: e.body)
        return StoredEvent(event: event, offset: e.position,
                           frame: EventFrameEncoder.frame(event, offset: offsetsOnEvents ? e.position : nil, allocator: allocator))
    }

    private func applyRun(_ run: ArraySlice<JournaledEvent>) {
        guard let id = run.first?.workflowID else { return }
        lock.withLock {
            guard let r = workflows[id] else { return }
            var batch: [StoredEvent] = []
            for e in run where e.seq > r.lastSeq {
                guard e.seq == r.lastSeq + 1 else { break }
                let s = stored(e)
                append(s, to: r)
                batch.append(s)
            }
            if let last = run.last, last.seq > r.lastSeq, r.subscriberCount == 0 {
                // A gap on a copy nobody watches: drop it, the next read
                // loads it whole. (Watched copies cannot gap: the node
                // applies every position in order.)
                workflows[id] = nil
                return
            }
            handOff(batch, of: r)
        }
    }
}
