import Foundation
import NIOConcurrencyHelpers
import NIOCore
import StampedeContract
import StampedeJSON

enum PublishRefusal: Error, Equatable {
    case notFound
    case terminal
}

enum SubscribeRefusal: Error, Equatable {
    case notFound
    case forbidden
}

/// What a socket needs to start receiving a workflow: the events to replay
/// and the position from which live delivery continues.
struct SubscriptionStart {
    /// The record's own id string: the socket keys its position by this very instance, the one
    /// every live batch of the workflow carries, so the per-socket, per-event position lookup
    /// compares the two keys by identity and never reads the key's bytes (another cache line
    /// per socket) or compares them.
    let workflowID: String
    let replay: ArraySlice<StoredEvent>
    let latestSeq: Int64
    let truncated: Bool
}

/// Every workflow, behind one lock. The lock covers seq assignment, the
/// history, the offset counter and the hand-off of each batch to the event
/// loops that have subscribers, so live delivery order on every socket is
/// seq order per workflow and offset order across workflows.
///
/// Unchecked `Sendable`, on purpose: the state is the fields below, every
/// one read and written inside `lock` only, and that one critical section
/// must also cover the hand-off (`handOff`) so that the order of the loops'
/// queues is the seq order. A `NIOLockedValueBox<State>` would need the
/// records `Sendable` (they are mutable classes, kept so that the publish
/// path appends in place), and `Mutex` needs macOS 15 (the package targets 14).
final class WorkflowRegistry: @unchecked Sendable {
    let lock = NIOLock()
    var workflows: [String: WorkflowRecord] = [:]
    private var nextOffset: UInt64 = 0
    /// Terminal workflows, the only ones retention can drop: the sweep
    /// looks at these, never at every workflow.
    private var terminalIDs: Set<String> = []
    /// Workflows with at least one subscriber on this node (cluster mode
    /// publishes the set: `active_workflows` is a distinct count there).
    private var activeIDs: Set<String> = []
    private var runningCount = 0
    let fanouts: FanoutDirectory
    let historyLimit: Int
    private let terminalRetention: TimeAmount
    private let idleRetention: TimeAmount
    /// Connection state recovery on: every live event carries its offset.
    let offsetsOnEvents: Bool
    let stats: ServerStats
    let allocator = ByteBufferAllocator()
    private var nextIdleSweep: NIODeadline = .now()

    init(fanouts: FanoutDirectory, historyLimit: Int, terminalRetention: TimeAmount, idleRetention: TimeAmount = .hours(1),
         offsetsOnEvents: Bool = true, stats: ServerStats) {
        self.fanouts = fanouts
        self.historyLimit = max(1, historyLimit)
        self.terminalRetention = terminalRetention
        self.idleRetention = idleRetention
        self.offsetsOnEvents = offsetsOnEvents
        self.stats = stats
    }

    var activeWorkflows: Int { lock.withLock { activeIDs.count } }
    var activeWorkflowIDs: Set<String> { lock.withLock { activeIDs } }
    var runningWorkflows: Int { lock.withLock { runningCount } }
    var count: Int { lock.withLock { workflows.count } }

    // MARK: creation and reads

    func create(type: String, owner: String, query: String?) -> TaskCard {
        let card = Self.newCard(type: type, owner: owner, query: query)
        let record = WorkflowRecord(id: card.workflowID, type: type, ownerUserID: owner, query: query, createdAt: card.createdAt)
        lock.withLock { workflows[record.id] = record }
        stats.add(stats.workflowsCreated)
        return record.taskCard
    }

    /// A fresh id and creation time, status pending.
    static func newCard(type: String, owner: String, query: String?) -> TaskCard {
        let id = "wf_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        return TaskCard(workflowID: String(id), type: type, status: .pending, query: query, userID: owner,
                        createdAt: ISO8601DateFormatter.string(from: Date(), timeZone: .gmt,
                                                               formatOptions: [.withInternetDateTime, .withFractionalSeconds]))
    }

    func contains(_ id: String) -> Bool { lock.withLock { workflows[id] != nil } }

    /// Who owns a workflow (nil when unknown).
    func owner(_ id: String) -> String? { lock.withLock { workflows[id]?.ownerUserID } }

    /// The task card as this node holds it now.
    func card(_ id: String) -> TaskCard? { lock.withLock { workflows[id]?.taskCard } }

    /// Ends a workflow on request (`POST …/cancel`): `workflow_status
    /// cancelled` goes through the same publish path as any event, so
    /// subscribers see it in seq order and later publishes get `terminal`.
    func cancel(_ id: String) -> Result<TaskCard, PublishRefusal> {
        switch publish(id, [.workflowStatus(.cancelled)]) {
        case .failure(let refusal): return .failure(refusal)
        case .success: return card(id).map { .success($0) } ?? .failure(.notFound)
        }
    }

    /// The polling view: task card, status and seq (`card`), and the
    /// retained events — shared references, serialised by the caller
    /// outside the lock, part by part.
    func view(_ id: String) -> (owner: String, card: JSONObject, events: [StoredEvent])? {
        lock.withLock {
            guard let r = workflows[id] else { return nil }
            var o = r.taskCardJSON
            o["seq"] = .int(r.lastSeq)
            return (r.ownerUserID, o, Array(r.history))
        }
    }

    // MARK: publishing

    /// Appends a batch atomically: all of it or, if the workflow is (or would
    /// become, mid-batch) terminal before the end, none of it.
    func publish(_ id: String, _ bodies: [WorkflowEventBody]) -> Result<[Int64], PublishRefusal> {
        let now = Date().timeIntervalSince1970 * 1000
        return lock.withLock {
            guard let r = workflows[id] else { return .failure(.notFound) }
            guard !r.status.isTerminal else { return .failure(.terminal) }
            if let i = bodies.firstIndex(where: { $0.workflowStatus?.isTerminal == true }), i != bodies.count - 1 {
                return .failure(.terminal)
            }
            var batch: [StoredEvent] = []
            batch.reserveCapacity(bodies.count)
            for body in bodies {
                r.lastSeq += 1
                nextOffset += 1
                let event = WorkflowEvent(workflowID: id, seq: r.lastSeq, ts: now, body: body)
                let stored = StoredEvent(event: event, offset: nextOffset,
                                         frame: EventFrameEncoder.frame(event, offset: offsetsOnEvents ? nextOffset : nil, allocator: allocator))
                append(stored, to: r)
                batch.append(stored)
            }
            handOff(batch, of: r)
            return .success(batch.map(\.seq))
        }
    }

    /// One event into a record's history (bounded) and status. Under the lock.
    func append(_ e: StoredEvent, to r: WorkflowRecord) {
        r.lastSeq = e.seq
        r.history.append(e)
        if r.history.count > historyLimit { r.history.removeFirst() }
        if let s = e.event.body.workflowStatus { transition(r, to: s) }
    }

    /// A batch just appended goes to every loop with subscribers, inside the
    /// lock: the hand-off order is the delivery order. Under the lock.
    func handOff(_ batch: [StoredEvent], of r: WorkflowRecord) {
        guard !batch.isEmpty else { return }
        let acceptedAt = NIODeadline.now()
        r.lastActivity = acceptedAt
        stats.add(stats.eventsPublished, batch.count)
        guard r.subscriberCount > 0 else { return }
        for (loopID, share) in r.subscribersPerLoop where share.subscribers > 0 {
            fanouts.deliver(batch, workflowID: r.id, acceptedAt: acceptedAt, toLoop: loopID, workflowQueued: share.queued)
        }
    }

    func transition(_ r: WorkflowRecord, to status: WorkflowStatus) {
        if r.status == .running { runningCount -= 1 }
        if status == .running { runningCount += 1 }
        r.status = status
        if status.isTerminal {
            r.terminalAt = .now()
            terminalIDs.insert(r.id)
        }
    }

    // MARK: subscriptions (called on the subscribing socket's loop)

    /// `alreadySubscribed`: a repeated subscribe only replays (idempotence).
    func subscribe(_ id: String, since: Int64?, principal: Principal, loop: EventLoop,
                   alreadySubscribed: Bool) -> Result<SubscriptionStart, SubscribeRefusal> {
        lock.withLock {
            guard let r = workflows[id] else { return .failure(.notFound) }
            guard r.ownerUserID == principal.userID || principal.role == .service else { return .failure(.forbidden) }
            if !alreadySubscribed { attach(r, loop: loop) }
            let (replay, truncated) = since.map { r.events(after: $0) } ?? ([], false)
            return .success(SubscriptionStart(workflowID: r.id, replay: replay, latestSeq: r.lastSeq, truncated: truncated))
        }
    }

    /// Re-attaches a recovered socket: its rooms and the events each missed
    /// after the client's last offset, merged in offset order.
    func recover(_ rooms: [String], afterOffset offset: UInt64, loop: EventLoop) -> (rooms: [String: Int64], replay: [StoredEvent]) {
        lock.withLock {
            var positions: [String: Int64] = [:]
            var replay: [StoredEvent] = []
            for id in rooms {
                guard let r = workflows[id] else { continue }
                attach(r, loop: loop)
                let missed = r.events(afterOffset: offset)
                positions[r.id] = (missed.first?.seq ?? r.lastSeq + 1) - 1  // the record's instance, as in `SubscriptionStart`
                replay += missed
            }
            replay.sort { $0.offset < $1.offset }
            return (positions, replay)
        }
    }

    func unsubscribe(_ ids: some Sequence<String>, loop: EventLoop) {
        lock.withLock {
            for id in ids {
                guard let r = workflows[id] else { continue }
                let key = ObjectIdentifier(loop)
                if var share = r.subscribersPerLoop[key] {
                    share.subscribers -= 1
                    r.subscribersPerLoop[key] = share.subscribers > 0 ? share : nil
                }
                r.subscriberCount -= 1
                r.lastActivity = .now()
                if r.subscriberCount == 0 { activeIDs.remove(r.id) }
            }
        }
    }

    private func attach(_ r: WorkflowRecord, loop: EventLoop) {
        r.subscribersPerLoop[ObjectIdentifier(loop), default: LoopShare(subscribers: 0)].subscribers += 1
        r.subscriberCount += 1
        r.lastActivity = .now()
        if r.subscriberCount == 1 { activeIDs.insert(r.id) }
    }

    // MARK: retention

    /// Drops terminal workflows past their retention that nobody watches,
    /// and (every 10 s: it walks every workflow) unwatched ones idle past
    /// the idle retention whatever their status.
    func sweep(now: NIODeadline = .now()) {
        lock.withLock {
            if now >= nextIdleSweep {
                nextIdleSweep = now + .seconds(10)
                var dropped = 0
                for (id, r) in workflows where r.subscriberCount == 0 && !r.status.isTerminal && now - r.lastActivity >= idleRetention {
                    if r.status == .running { runningCount -= 1 }
                    workflows[id] = nil
                    dropped += 1
                }
                if dropped > 0 { stats.add(stats.idleWorkflowsDropped, dropped) }
            }
            for id in terminalIDs {
                guard let r = workflows[id] else { terminalIDs.remove(id); continue }
                if let t = r.terminalAt, r.subscriberCount == 0, now - t >= terminalRetention {
                    workflows[id] = nil
                    terminalIDs.remove(id)
                }
            }
        }
    }
}
