import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import StampedeContract
import StampedeJSON
import StampedeServer

/// The cluster's journal on PostgreSQL (CLUSTER-NOTES.md). A publish is one
/// transaction: the workflow row's `seq` under its row lock, the global
/// position row after it, the event rows, and `pg_notify` inside the
/// transaction — so commit order is position order is delivery order on
/// every node. Nodes learn of commits from the notification and read the
/// rows in position order (`JournalListener`).
public final class PostgresJournal: WorkflowJournal {
    let client: PostgresClient
    let logger: Logger
    let listener: JournalListener
    /// Events kept per workflow (`--history`), enforced in the database.
    let historyLimit: Int
    private let runner: Task<Void, Never>
    private let committed = NIOLockedValueBox(0)
    static let channel = "stampede_events"

    private init(client: PostgresClient, logger: Logger, listener: JournalListener, historyLimit: Int, runner: Task<Void, Never>) {
        self.historyLimit = max(1, historyLimit)
        self.client = client
        self.logger = logger
        self.listener = listener
        self.runner = runner
    }

    /// Connects, migrates the schema and starts listening. Events the node
    /// must apply go to `apply`, set with `attach` once the domain exists.
    public static func start(url: String, historyLimit: Int = 1000,
                             logger: Logger = Logger(label: "stampede.cluster")) async throws -> PostgresJournal {
        // The pool logs every failed reconnect at info: keep its chatter to errors.
        var poolLogger = logger
        poolLogger.logLevel = .error
        let client = PostgresClient(configuration: try PostgresURL.configuration(url), backgroundLogger: poolLogger)
        let runner = Task { await client.run() }
        do {
            try await ClusterSchema.migrate(client, logger: logger)
            let listener = try await JournalListener.start(client: client, logger: logger)
            return PostgresJournal(client: client, logger: logger, listener: listener, historyLimit: historyLimit, runner: runner)
        } catch {
            runner.cancel()
            throw error
        }
    }

    /// Where applied events go (the node's `Hub.applyJournaled`).
    public func attach(_ apply: @escaping @Sendable ([JournaledEvent]) -> Void) {
        listener.attach(apply)
    }

    public func stop() async {
        await listener.stop()
        runner.cancel()
    }

    public func create(_ card: TaskCard) async throws {
        let client = self.client, logger = self.logger
        try await withDeadline("create") {
            try await client.query("""
            INSERT INTO stampede_workflows (id, type, owner, query, created_at, status)
            VALUES (\(card.workflowID), \(card.type), \(card.userID), \(card.query), \(card.createdAt), \(card.status.rawValue))
            """, logger: logger)
        }
    }

    /// Events this node committed (its part of the cluster's `events_published`).
    var committedEvents: Int { committed.withLockedValue { $0 } }

    public func publish(_ id: String, _ bodies: [WorkflowEventBody], ts: Double) async throws -> Result<[Int64], JournalRefusal> {
        let result = try await commit(id, bodies, ts: ts)
        if case .success(let seqs) = result { committed.withLockedValue { $0 += seqs.count } }
        return result
    }

    private func commit(_ id: String, _ bodies: [WorkflowEventBody], ts: Double) async throws -> Result<[Int64], JournalRefusal> {
        let n = Int64(bodies.count)
        let status = bodies.compactMap(\.workflowStatus).last?.rawValue
        let types = bodies.map(\.type)
        let fields = bodies.map { JSONValue.object($0.fields).serialized }
        let logger = self.logger
        let historyLimit = self.historyLimit
        let client = self.client
        return try await withDeadline("publish") {
        try await client.withTransaction(logger: logger) { conn -> Result<[Int64], JournalRefusal> in
            var lastSeq: Int64?
            for try await s in try await conn.query("""
                UPDATE stampede_workflows SET seq = seq + \(n), status = COALESCE(\(status), status)
                WHERE id = \(id) AND status NOT IN ('completed', 'failed', 'cancelled') RETURNING seq
                """, logger: logger).decode(Int64.self) { lastSeq = s }
            guard let lastSeq else {
                var exists = false
                for try await _ in try await conn.query("SELECT 1 FROM stampede_workflows WHERE id = \(id)", logger: logger).decode(Int32.self) {
                    exists = true
                }
                return .failure(exists ? .terminal : .notFound)
            }
            var lastPos: Int64 = 0
            for try await p in try await conn.query("UPDATE stampede_position SET pos = pos + \(n) WHERE id = 1 RETURNING pos",
                                                    logger: logger).decode(Int64.self) { lastPos = p }
            let seqs = (0..<n).map { lastSeq - n + 1 + $0 }
            let positions = (0..<n).map { lastPos - n + 1 + $0 }
            let ids = Array(repeating: id, count: bodies.count)
            let tss = Array(repeating: ts, count: bodies.count)
            try await conn.query("""
                INSERT INTO stampede_events (pos, workflow_id, seq, ts, type, fields)
                SELECT * FROM unnest(\(positions)::bigint[], \(ids)::text[], \(seqs)::bigint[], \(tss)::float8[], \(types)::text[], \(fields)::text[])
                """, logger: logger)
            // The history bound, as a single node keeps it.
            let keepFrom = lastSeq - Int64(historyLimit)
            if keepFrom > 0 {
                try await conn.query("DELETE FROM stampede_events WHERE workflow_id = \(id) AND seq <= \(keepFrom)", logger: logger)
            }
            // Inside the transaction: PostgreSQL delivers notifications in
            // commit order (after commit they reorder: CLUSTER-NOTES.md).
            try await conn.query("SELECT pg_notify(\(Self.channel), \(String(lastPos)))", logger: logger)
            return .success(seqs)
        }
        }
    }

    public func load(_ id: String, historyLimit: Int, adopt: @escaping @Sendable (JournaledWorkflow) -> Void) async throws -> Bool {
        let listener = self.listener
        return try await withDeadline("load") { try await listener.load(id, historyLimit: historyLimit, adopt: adopt) }
    }
}
