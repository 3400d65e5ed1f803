import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import StampedeContract
import StampedeJSON
import StampedeServer

/// The cluster's journal on PostgreSQL (CLUSTER-NOTES.md). A publish
/// commits in one transaction (shared with the node's other publishes of
/// the moment: `PublishCoalescer`): the workflow rows' `seq` under their row
/// locks, the global position row after them, the event rows, and
/// `pg_notify` inside the transaction — so commit order is position order
/// is delivery order on every node. Nodes learn of commits from the notification and read the
/// rows in position order (`JournalListener`).
public final class PostgresJournal: WorkflowJournal {
    let client: PostgresClient
    let logger: Logger
    let listener: JournalListener
    /// Events kept per workflow (`--history`), enforced in the database.
    let historyLimit: Int
    private let runner: Task<Void, Never>
    private let committed = NIOLockedValueBox(0)
    let coalescer: PublishCoalescer
    static let channel = "stampede_events"

    private init(client: PostgresClient, logger: Logger, listener: JournalListener, historyLimit: Int, publishBatch: Int,
                 runner: Task<Void, Never>) {
        self.historyLimit = max(1, historyLimit)
        coalescer = PublishCoalescer(client: client, logger: logger, historyLimit: max(1, historyLimit), maxBatch: publishBatch)
        self.client = client
        self.logger = logger
        self.listener = listener
        self.runner = runner
    }

    /// Connects, migrates the schema and starts listening. Events the node
    /// must apply go to `apply`, set with `attach` once the domain exists.
    /// `publishBatch`: most publishes one transaction takes (1: one each).
    public static func start(url: String, historyLimit: Int = 1000, publishBatch: Int = 64,
                             logger: Logger = Logger(label: "stampede.cluster")) async throws -> PostgresJournal {
        // The pool logs every failed reconnect at info: keep its chatter to errors.
        var poolLogger = logger
        poolLogger.logLevel = .error
        let client = PostgresClient(configuration: try PostgresURL.configuration(url), backgroundLogger: poolLogger)
        let runner = Task { await client.run() }
        do {
            try await ClusterSchema.migrate(client, logger: logger)
            let listener = try await JournalListener.start(client: client, logger: logger)
            return PostgresJournal(client: client, logger: logger, listener: listener, historyLimit: historyLimit,
                                   publishBatch: publishBatch, runner: runner)
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
        let result = try await coalescer.publish(.init(workflowID: id, types: bodies.map(\.type),
                                                       fields: bodies.map { JSONValue.object($0.fields).serialized },
                                                       status: bodies.compactMap(\.workflowStatus).last?.rawValue, ts: ts))
        if case .success(let seqs) = result { committed.withLockedValue { $0 += seqs.count } }
        return result
    }

    public func load(_ id: String, historyLimit: Int, adopt: @escaping @Sendable (JournaledWorkflow) -> Void) async throws -> Bool {
        let listener = self.listener
        return try await withDeadline("load") { try await listener.load(id, historyLimit: historyLimit, adopt: adopt) }
    }
}
