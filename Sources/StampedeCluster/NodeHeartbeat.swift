import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import StampedeJSON
import StampedeServer

/// This node's row in `stampede_nodes`, written about every 0.5 s: its
/// counters, plus its rows of sockets per user and of workflows with a
/// subscriber (changes only, since the last committed beat). Each beat also
/// removes nodes silent for 3 s (their rows go with them), reads the other
/// nodes' sockets per user (the cluster-wide per-user cap) and the
/// notification queue's usage. Beats run one at a time on one task; a
/// stats request asks for one and waits, so its own node's part is current.
final class NodeHeartbeat: ClusterPresence, Sendable {
    static let interval = Duration.milliseconds(500)
    /// A node whose last beat is older than this is dead.
    static let deadAfterSeconds = 3

    private let client: PostgresClient
    private let logger: Logger
    private let journal: PostgresJournal
    private let requests: AsyncStream<CheckedContinuation<Void, Error>?>.Continuation
    private let tasks = NIOLockedValueBox<[Task<Void, Never>]>([])

    private struct State {
        var nodeID = ""
        var figures: (@Sendable () -> NodeFigures)?
        var remote: (@Sendable ([String: Int]) -> Void)?
        /// What the last committed beat wrote; nil: write everything.
        var published: NodeFigures?
        var tickQueued = false
        var queueUsage = 0.0
    }
    private let state = NIOLockedValueBox(State())

    init(journal: PostgresJournal) {
        self.journal = journal
        client = journal.client
        logger = journal.logger
        let (stream, continuation) = AsyncStream<CheckedContinuation<Void, Error>?>.makeStream()
        requests = continuation
        tasks.withLockedValue { $0 = [Task { await self.work(stream) }, Task { await self.tick() }] }
    }

    /// The node's id, where the figures come from and where the other
    /// nodes' sockets per user go (the node's Hub), once they exist.
    func attach(nodeID: String, figures: @escaping @Sendable () -> NodeFigures,
                remote: @escaping @Sendable ([String: Int]) -> Void) {
        state.withLockedValue {
            $0.nodeID = nodeID
            $0.figures = figures
            $0.remote = remote
        }
    }

    var notificationQueueUsage: Double { state.withLockedValue { $0.queueUsage } }

    /// One beat now, finished when this returns.
    func beatNow() async throws {
        try await withCheckedThrowingContinuation { c in
            if case .terminated = requests.yield(c) { c.resume(throwing: CancellationError()) }
        }
    }

    func clusterStats() async throws -> JSONValue {
        try await beatNow()
        let client = self.client, logger = self.logger
        return try await withDeadline("stats") { try await ClusterStatsQuery.read(client, logger: logger) }
    }

    /// Graceful shutdown: the node leaves at once (its rows go with it)
    /// rather than being counted until it is found silent.
    func leave() async {
        requests.finish()
        for t in tasks.withLockedValue({ $0 }) { t.cancel() }
        let client = self.client, logger = self.logger, id = state.withLockedValue { $0.nodeID }
        _ = try? await withDeadline("leave") {
            try await client.query("DELETE FROM stampede_nodes WHERE node_id = \(id)", logger: logger)
        }
    }

    // MARK: the beat

    private func work(_ stream: AsyncStream<CheckedContinuation<Void, Error>?>) async {
        for await request in stream {
            if case .none = request { state.withLockedValue { $0.tickQueued = false } }
            do {
                try await withDeadline("heartbeat") { try await self.beat() }
                request?.resume()
            } catch {
                // Unknown whether it committed: the next beat writes everything.
                state.withLockedValue { $0.published = nil }
                if case .none = request { logger.warning("heartbeat failed", metadata: ["error": "\(error)"]) }
                request?.resume(throwing: error)
            }
        }
    }

    private func tick() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.interval)
            let queue = state.withLockedValue { s -> Bool in
                defer { s.tickQueued = true }
                return !s.tickQueued
            }
            if queue { requests.yield(nil) }
        }
    }

    private func beat() async throws {
        let (id, source, previous, remote) = state.withLockedValue { ($0.nodeID, $0.figures, $0.published, $0.remote) }
        guard let source else { return }
        var now = source()
        // Events committed through this node: summed over nodes, each event counts once.
        now.stats.eventsPublished = journal.committedEvents
        let counters = try JSONValueEncoder().encode(now.stats).serialized
        let logger = self.logger
        try await client.withTransaction(logger: logger) { conn in
            var inserted = true
            for try await fresh in try await conn.query("""
                INSERT INTO stampede_nodes (node_id, seen_at, figures) VALUES (\(id), clock_timestamp(), \(counters)::jsonb)
                ON CONFLICT (node_id) DO UPDATE SET seen_at = EXCLUDED.seen_at, figures = EXCLUDED.figures
                RETURNING (xmax = 0)
                """, logger: logger).decode(Bool.self) { inserted = fresh }
            // A fresh row: this node was reaped while silent, its sets went with it.
            try await Self.write(PresenceRows(from: inserted ? nil : previous, to: now), node: id, on: conn, logger: logger)
        }
        state.withLockedValue { $0.published = now }
        try await client.query("""
            DELETE FROM stampede_nodes WHERE seen_at < clock_timestamp() - make_interval(secs => \(Self.deadAfterSeconds))
            """, logger: logger)
        var elsewhere: [String: Int] = [:]
        for try await (user, sockets) in try await client.query("""
            SELECT user_id, sum(sockets)::bigint FROM stampede_node_users WHERE node_id <> \(id) GROUP BY user_id
            """, logger: logger).decode((String, Int64).self) { elsewhere[user] = Int(sockets) }
        remote?(elsewhere)
        for try await usage in try await client.query("SELECT pg_notification_queue_usage()", logger: logger).decode(Double.self) {
            state.withLockedValue { $0.queueUsage = usage }
        }
    }

    private static func write(_ rows: PresenceRows, node id: String, on conn: PostgresConnection, logger: Logger) async throws {
        if rows.replaceAll {
            try await conn.query("DELETE FROM stampede_node_users WHERE node_id = \(id)", logger: logger)
            try await conn.query("DELETE FROM stampede_node_workflows WHERE node_id = \(id)", logger: logger)
        }
        if !rows.removedUsers.isEmpty {
            try await conn.query("DELETE FROM stampede_node_users WHERE node_id = \(id) AND user_id = ANY(\(rows.removedUsers)::text[])",
                                 logger: logger)
        }
        if !rows.upsertedUsers.isEmpty {
            let users = rows.upsertedUsers.map(\.user), sockets = rows.upsertedUsers.map { Int64($0.sockets) }
            try await conn.query("""
                INSERT INTO stampede_node_users (node_id, user_id, sockets)
                SELECT \(id), * FROM unnest(\(users)::text[], \(sockets)::bigint[])
                ON CONFLICT (node_id, user_id) DO UPDATE SET sockets = EXCLUDED.sockets
                """, logger: logger)
        }
        if !rows.removedWorkflows.isEmpty {
            try await conn.query("""
                DELETE FROM stampede_node_workflows WHERE node_id = \(id) AND workflow_id = ANY(\(rows.removedWorkflows)::text[])
                """, logger: logger)
        }
        if !rows.addedWorkflows.isEmpty {
            try await conn.query("""
                INSERT INTO stampede_node_workflows (node_id, workflow_id)
                SELECT \(id), * FROM unnest(\(rows.addedWorkflows)::text[]) ON CONFLICT DO NOTHING
                """, logger: logger)
        }
    }
}
