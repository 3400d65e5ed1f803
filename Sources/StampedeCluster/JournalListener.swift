import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import StampedeContract
import StampedeJSON
import StampedeServer

/// One node's view of the journal: a cursor (the last position applied)
/// and one task that does everything in order — catch up after a
/// notification, a periodic check (a lost last notification), a LISTEN
/// reconnect, and loads of workflows the node has not seen. Doing loads in
/// the same order as applies is what makes a loaded copy gapless: it holds
/// exactly the events up to the cursor, and every later one is applied to it.
final class JournalListener: Sendable {
    enum Job: Sendable {
        case catchUp
        /// Events a notification carried: applied at once when they follow the cursor.
        case apply([JournaledEvent])
        case load(String, Int, @Sendable (JournaledWorkflow) -> Void, CheckedContinuation<Bool, Error>)
    }

    private let client: PostgresClient
    private let logger: Logger
    private let jobs: AsyncStream<Job>.Continuation
    private let state = NIOLockedValueBox<(cursor: Int64, apply: (@Sendable ([JournaledEvent]) -> Void)?, catchUpQueued: Bool)>((0, nil, false))
    private let tasks = NIOLockedValueBox<[Task<Void, Never>]>([])
    static let batch = 2_000
    /// Events applied straight from notifications, and catch-up reads of the table (tests and
    /// diagnostics: with small events the first does the work).
    let appliedFromNotifications = NIOLockedValueBox(0)
    let catchUpReads = NIOLockedValueBox(0)

    var cursor: Int64 { state.withLockedValue { $0.cursor } }

    private init(client: PostgresClient, logger: Logger, jobs: AsyncStream<Job>.Continuation, cursor: Int64) {
        self.client = client
        self.logger = logger
        self.jobs = jobs
        state.withLockedValue { $0.cursor = cursor }
    }

    /// Starts at the journal's current position: this node holds no
    /// workflow yet and loads each one on first use.
    static func start(client: PostgresClient, logger: Logger) async throws -> JournalListener {
        var pos: Int64 = 0
        for try await p in try await client.query("SELECT pos FROM stampede_position WHERE id = 1", logger: logger).decode(Int64.self) {
            pos = p
        }
        let (stream, continuation) = AsyncStream<Job>.makeStream()
        let l = JournalListener(client: client, logger: logger, jobs: continuation, cursor: pos)
        l.tasks.withLockedValue {
            $0 = [
                Task { await l.work(stream) },
                Task { await l.listen() },
                Task { await l.tick() },
            ]
        }
        return l
    }

    func attach(_ apply: @escaping @Sendable ([JournaledEvent]) -> Void) {
        state.withLockedValue { $0.apply = apply }
        requestCatchUp()
    }

    func stop() async {
        jobs.finish()
        for t in tasks.withLockedValue({ $0 }) { t.cancel() }
    }

    func load(_ id: String, historyLimit: Int, adopt: @escaping @Sendable (JournaledWorkflow) -> Void) async throws -> Bool {
        try await withCheckedThrowingContinuation { c in
            if case .terminated = jobs.yield(.load(id, historyLimit, adopt, c)) {
                c.resume(throwing: CancellationError())
            }
        }
    }

    /// Many notifications, one catch-up queued at a time.
    private func requestCatchUp() {
        let queue = state.withLockedValue { s -> Bool in
            defer { s.catchUpQueued = true }
            return !s.catchUpQueued
        }
        if queue { jobs.yield(.catchUp) }
    }

    // MARK: the ordered worker

    private func work(_ stream: AsyncStream<Job>) async {
        for await job in stream {
            switch job {
            case .catchUp:
                state.withLockedValue { $0.catchUpQueued = false }
                do { try await catchUp() } catch {
                    logger.warning("catch-up failed, retrying", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .milliseconds(200))
                    requestCatchUp()
                }
            case .apply(let events):
                applyNotified(events)
            case .load(let id, let limit, let adopt, let c):
                do {
                    // Apply what is committed first, so the copy and the cursor agree.
                    try await catchUp()
                    c.resume(returning: try await read(id, historyLimit: limit, adopt: adopt))
                } catch {
                    c.resume(throwing: error)
                }
            }
        }
    }

    /// Events from a notification: applied when they continue the cursor exactly; already
    /// applied ones are skipped; a gap (something was missed) reads the table instead.
    private func applyNotified(_ events: [JournaledEvent]) {
        guard let first = events.first, let last = events.last else { return }
        let outcome = state.withLockedValue { s -> (apply: (@Sendable ([JournaledEvent]) -> Void)?, gap: Bool) in
            guard let apply = s.apply else { return (nil, false) }
            if Int64(last.position) <= s.cursor { return (nil, false) }
            if Int64(first.position) != s.cursor + 1 { return (nil, true) }
            return (apply, false)
        }
        if outcome.gap { return requestCatchUp() }
        guard let apply = outcome.apply else { return }
        apply(events)
        state.withLockedValue { $0.cursor = Int64(last.position) }
        appliedFromNotifications.withLockedValue { $0 += events.count }
    }

    /// Applies every committed event past the cursor, in position order.
    private func catchUp() async throws {
        while true {
            let (from, apply) = state.withLockedValue { ($0.cursor, $0.apply) }
            guard let apply else { return }
            var events: [JournaledEvent] = []
            catchUpReads.withLockedValue { $0 += 1 }
            let rows = try await client.query("""
                SELECT pos, workflow_id, seq, ts, type, fields FROM stampede_events
                WHERE pos > \(from) ORDER BY pos LIMIT \(Self.batch)
                """, logger: logger)
            for try await (pos, wf, seq, ts, type, fields) in rows.decode((Int64, String, Int64, Double, String, String).self) {
                events.append(Self.event(pos, wf, seq, ts, type, fields))
            }
            guard let last = events.last else { return }
            apply(events)
            state.withLockedValue { $0.cursor = Int64(last.position) }
            if events.count < Self.batch { return }
        }
    }

    private func read(_ id: String, historyLimit: Int, adopt: @Sendable (JournaledWorkflow) -> Void) async throws -> Bool {
        var card: (TaskCard, Int64)?
        for try await (type, owner, query, created, status, seq) in try await client.query("""
            SELECT type, owner, query, created_at, status, seq FROM stampede_workflows WHERE id = \(id)
            """, logger: logger).decode((String, String, String?, String, String, Int64).self) {
            card = (TaskCard(workflowID: id, type: type, status: WorkflowStatus(rawValue: status) ?? .pending,
                             query: query, userID: owner, createdAt: created), seq)
        }
        guard let (c, _) = card else { return false }
        let cursor = self.cursor
        var events: [JournaledEvent] = []
        for try await (pos, wf, seq, ts, type, fields) in try await client.query("""
            SELECT pos, workflow_id, seq, ts, type, fields FROM (
              SELECT * FROM stampede_events WHERE workflow_id = \(id) AND pos <= \(cursor) ORDER BY seq DESC LIMIT \(historyLimit)
            ) recent ORDER BY seq
            """, logger: logger).decode((Int64, String, Int64, Double, String, String).self) {
            events.append(Self.event(pos, wf, seq, ts, type, fields))
        }
        // The status and seq as of the cursor: what the events say.
        var status = WorkflowStatus.pending
        for e in events { if let s = e.body.workflowStatus { status = s } }
        var asOfCursor = c
        asOfCursor.status = events.isEmpty ? .pending : status
        adopt(JournaledWorkflow(card: asOfCursor, lastSeq: events.last?.seq ?? 0, events: events))
        return true
    }

    static func event(_ pos: Int64, _ wf: String, _ seq: Int64, _ ts: Double, _ type: String, _ fields: String) -> JournaledEvent {
        let object = (try? JSONParser.parse(fields))?.objectValue ?? [:]
        return JournaledEvent(workflowID: wf, seq: seq, position: UInt64(pos), ts: ts,
                              body: WorkflowEventBody(type: type, fields: object))
    }

    // MARK: notifications and the periodic check

    /// LISTENs on a connection of its own; on any loss, reconnects with a
    /// backoff and catches up (what was notified meanwhile is in the table).
    private func listen() async {
        var backoff = 100
        while !Task.isCancelled {
            do {
                try await client.withConnection { conn in
                    try await conn.listen(on: PostgresJournal.channel) { notifications in
                        backoff = 100
                        self.requestCatchUp()
                        for try await n in notifications { self.notified(n.payload) }
                    }
                }
            } catch {
                logger.warning("LISTEN connection lost; reconnecting", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .milliseconds(backoff))
            backoff = min(backoff * 2, 2_000)
        }
    }

    /// A notification's events go to the ordered worker as they are; a positions-only one
    /// (or one this version cannot read) asks for a catch-up.
    private func notified(_ payload: String) {
        if case .events(let rows) = JournalNotification.parse(payload) {
            let events = rows.map { Self.event($0.position, $0.workflowID, $0.seq, $0.ts, $0.type, $0.fields) }
            if case .terminated = jobs.yield(.apply(events)) { return }
        } else {
            requestCatchUp()
        }
    }

    /// About once a second: a notification lost with a connection is caught here.
    private func tick() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            requestCatchUp()
        }
    }
}
