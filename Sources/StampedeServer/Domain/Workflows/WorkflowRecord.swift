import Atomics
import DequeModule
import NIOCore
import StampedeContract
import StampedeJSON

/// One workflow's state. Guarded by `WorkflowRegistry`'s lock: every
/// mutation happens inside it, which is what makes seq assignment and
/// history gapless under concurrent publishers. Not `Sendable`: no record
/// leaves the registry (readers get copies — cards, slices of `StoredEvent`s).
final class WorkflowRecord {
    let id: String
    let type: String
    let ownerUserID: String
    let query: String?
    let createdAt: String
    var status: WorkflowStatus = .pending
    var lastSeq: Int64 = 0
    var history: Deque<StoredEvent> = []
    /// Subscribed sockets per event loop (counts only: the sets themselves
    /// live on each loop's `LoopFanout`).
    var subscribersPerLoop: [ObjectIdentifier: LoopShare] = [:]
    var subscriberCount = 0
    var terminalAt: NIODeadline?
    /// Last publish, subscribe or unsubscribe: a workflow that never ends is
    /// dropped once this is older than the idle retention and nobody watches.
    var lastActivity: NIODeadline = .now()

    init(id: String, type: String, ownerUserID: String, query: String?, createdAt: String) {
        self.id = id
        self.type = type
        self.ownerUserID = ownerUserID
        self.query = query
        self.createdAt = createdAt
    }

    var taskCard: TaskCard {
        TaskCard(workflowID: id, type: type, status: status, query: query, userID: ownerUserID, createdAt: createdAt)
    }

    var taskCardJSON: JSONObject {
        var o: JSONObject = ["workflow_id": .string(id), "type": .string(type), "status": .string(status.rawValue)]
        if let query { o["query"] = .string(query) }
        o["user_id"] = .string(ownerUserID)
        o["created_at"] = .string(createdAt)
        return o
    }

    /// The oldest seq still retained (lastSeq + 1 when nothing is).
    var firstRetainedSeq: Int64 { history.first?.seq ?? lastSeq + 1 }

    /// Retained events with `seq > since`, and whether the history no longer
    /// reaches back to `since + 1`. Any `since` is safe here (a client
    /// sends it): below 0 reads as 0, at or past `lastSeq` asks for nothing.
    func events(after requested: Int64) -> (events: ArraySlice<StoredEvent>, truncated: Bool) {
        let since = max(requested, 0)
        guard since < lastSeq else { return ([], false) }
        // since < lastSeq <= Int64.max, so since + 1 cannot overflow.
        let truncated = since + 1 < firstRetainedSeq
        guard let first = history.first else { return ([], truncated) }
        let startIndex = since < first.seq ? 0 : Int(since - first.seq) + 1
        guard startIndex < history.count else { return ([], truncated) }
        return (ArraySlice(history[startIndex...]), truncated)
    }

    /// Retained events whose offset is beyond `offset` (recovery).
    func events(afterOffset offset: UInt64) -> [StoredEvent] {
        var out: [StoredEvent] = []
        for e in history.reversed() {
            if e.offset <= offset { break }
            out.append(e)
        }
        return out.reversed()
    }
}

/// A workflow's subscribers on one event loop: how many, and how many of the workflow's batches
/// were handed to that loop and not delivered yet. The fan-out defers its flushes to the turn's
/// end only while another batch of the same workflow waits behind the one it delivers: only
/// then can a later write meet the same sockets (a socket watching several workflows also
/// shares the loop-wide count).
struct LoopShare {
    var subscribers: Int
    let queued = ManagedAtomic(0)
}
