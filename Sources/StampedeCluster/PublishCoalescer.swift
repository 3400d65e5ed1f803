import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import StampedeContract
import StampedeJSON
import StampedeServer

/// Publishes that arrive on a node within about a millisecond — and all
/// that arrive while its previous transaction commits — share one
/// transaction. A NOTIFYing commit holds a cluster-wide lock until it is
/// durable, so throughput is events per transaction ÷ commit latency
/// (CLUSTER-NOTES.md): one publish per transaction caps a node near
/// 1/commit latency. Inside the transaction the workflows are locked in id
/// order (then the position row: one lock order for every node, so no
/// deadlock), a publish to an unknown or ended workflow is left out and
/// answered on its own, and the rest get their seqs and positions in
/// arrival order. With `maxBatch` 1 every publish is its own transaction.
final class PublishCoalescer: Sendable {
    struct Publish: Sendable {
        let workflowID: String
        let types: [String]
        let fields: [String]
        let status: String?
        let ts: Double
        var count: Int64 { Int64(types.count) }
    }
    typealias Outcome = Result<[Int64], JournalRefusal>
    private typealias Waiting = (publish: Publish, reply: CheckedContinuation<Outcome, Error>)

    private let client: PostgresClient
    private let logger: Logger
    private let historyLimit: Int
    let maxBatch: Int
    /// How long the first publish of an idle node waits for company.
    static let window = Duration.milliseconds(1)
    private let queue = NIOLockedValueBox<(waiting: [Waiting], draining: Bool)>(([], false))

    init(client: PostgresClient, logger: Logger, historyLimit: Int, maxBatch: Int) {
        self.client = client
        self.logger = logger
        self.historyLimit = historyLimit
        self.maxBatch = max(1, maxBatch)
    }

    func publish(_ p: Publish) async throws -> Outcome {
        if maxBatch == 1 {
            let client = self.client
            return try await withDeadline("publish") { try await self.commit([p], client: client)[0] }
        }
        return try await withCheckedThrowingContinuation { reply in
            let start = queue.withLockedValue { q -> Bool in
                q.waiting.append((p, reply))
                defer { q.draining = true }
                return !q.draining
            }
            if start { Task { await self.drain() } }
        }
    }

    /// One transaction at a time per node, each taking what has queued.
    private func drain() async {
        try? await Task.sleep(for: Self.window)
        while true {
            let batch = queue.withLockedValue { q -> [Waiting] in
                let b = Array(q.waiting.prefix(maxBatch))
                q.waiting.removeFirst(b.count)
                if b.isEmpty { q.draining = false }
                return b
            }
            guard !batch.isEmpty else { return }
            let client = self.client
            do {
                let outcomes = try await withDeadline("publish") { try await self.commit(batch.map(\.publish), client: client) }
                for (w, o) in zip(batch, outcomes) { w.reply.resume(returning: o) }
            } catch {
                for w in batch { w.reply.resume(throwing: error) }
            }
        }
    }

    /// The batch's transaction; one outcome per publish, in order.
    func commit(_ batch: [Publish], client: PostgresClient) async throws -> [Outcome] {
        let logger = self.logger, historyLimit = Int64(self.historyLimit)
        return try await client.withTransaction(logger: logger) { conn -> [Outcome] in
            let ids = Array(Set(batch.map(\.workflowID))).sorted()
            var rows: [String: (seq: Int64, status: String)] = [:]
            for try await (id, seq, status) in try await conn.query("""
                SELECT id, seq, status FROM stampede_workflows WHERE id = ANY(\(ids)::text[]) ORDER BY id FOR UPDATE
                """, logger: logger).decode((String, Int64, String).self) { rows[id] = (seq, status) }
            var outcomes: [Outcome] = []
            var events = (ids: [String](), seqs: [Int64](), ts: [Double](), types: [String](), fields: [String]())
            var touched: [String] = []
            for p in batch {
                guard var row = rows[p.workflowID] else { outcomes.append(.failure(.notFound)); continue }
                if WorkflowStatus(rawValue: row.status)?.isTerminal == true { outcomes.append(.failure(.terminal)); continue }
                guard p.count > 0 else { outcomes.append(.success([])); continue }
                let seqs = (1...p.count).map { row.seq + $0 }
                row.seq += p.count
                row.status = p.status ?? row.status
                if !touched.contains(p.workflowID) { touched.append(p.workflowID) }
                rows[p.workflowID] = row
                outcomes.append(.success(seqs))
                events.ids += Array(repeating: p.workflowID, count: seqs.count)
                events.seqs += seqs
                events.ts += Array(repeating: p.ts, count: seqs.count)
                events.types += p.types
                events.fields += p.fields
            }
            let n = Int64(events.seqs.count)
            guard n > 0 else { return outcomes }
            var lastPos: Int64 = 0
            for try await pos in try await conn.query("UPDATE stampede_position SET pos = pos + \(n) WHERE id = 1 RETURNING pos",
                                                      logger: logger).decode(Int64.self) { lastPos = pos }
            let positions = (0..<n).map { lastPos - n + 1 + $0 }
            let seqNow = touched.map { rows[$0]!.seq }, statusNow = touched.map { rows[$0]!.status }
            try await conn.query("""
                UPDATE stampede_workflows w SET seq = v.seq, status = v.status
                FROM unnest(\(touched)::text[], \(seqNow)::bigint[], \(statusNow)::text[]) AS v(id, seq, status) WHERE w.id = v.id
                """, logger: logger)
            try await conn.query("""
                INSERT INTO stampede_events (pos, workflow_id, seq, ts, type, fields)
                SELECT * FROM unnest(\(positions)::bigint[], \(events.ids)::text[], \(events.seqs)::bigint[], \(events.ts)::float8[],
                                     \(events.types)::text[], \(events.fields)::text[])
                """, logger: logger)
            // The history bound (`--history`), as a single node keeps it.
            let keepFrom = seqNow.map { $0 - historyLimit }
            if keepFrom.contains(where: { $0 > 0 }) {
                try await conn.query("""
                    DELETE FROM stampede_events e USING unnest(\(touched)::text[], \(keepFrom)::bigint[]) AS k(id, upto)
                    WHERE e.workflow_id = k.id AND e.seq <= k.upto
                    """, logger: logger)
            }
            // Inside the transaction: PostgreSQL delivers notifications in
            // commit order (after commit they reorder: CLUSTER-NOTES.md). The events ride along
            // when they fit, so the other nodes need not read them back.
            let notified = positions.indices.map { i in
                JournalNotification.Row(position: positions[i], workflowID: events.ids[i], seq: events.seqs[i], ts: events.ts[i],
                                        type: events.types[i], fields: events.fields[i])
            }
            try await conn.query("SELECT pg_notify(\(PostgresJournal.channel), \(JournalNotification.payload(notified)))", logger: logger)
            return outcomes
        }
    }
}
