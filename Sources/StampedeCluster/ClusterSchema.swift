import Logging
import PostgresNIO

/// The cluster's tables, created or migrated at start: idempotent (every
/// step checks the recorded version) and safe when several nodes start at
/// once (an advisory lock serialises them).
enum ClusterSchema {
    static let version = 1
    private static let lockKey: Int64 = 0x5354_414D_5045  // "STAMPE"

    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { conn in
            try await conn.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await conn.query("CREATE TABLE IF NOT EXISTS stampede_schema (version integer NOT NULL)", logger: logger)
            var current = 0
            for try await v in try await conn.query("SELECT version FROM stampede_schema", logger: logger).decode(Int.self) {
                current = max(current, v)
            }
            if current < 1 {
                for statement in v1 { try await conn.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await conn.query("INSERT INTO stampede_schema (version) VALUES (1)", logger: logger)
            }
        }
    }

    /// Version 1: workflows (seq under the row lock), one global position
    /// row (the recovery offset, with an epoch), and the events.
    private static let v1 = [
        """
        CREATE TABLE stampede_workflows (
            id text PRIMARY KEY, type text NOT NULL, owner text NOT NULL, query text,
            created_at text NOT NULL, status text NOT NULL DEFAULT 'pending', seq bigint NOT NULL DEFAULT 0)
        """,
        "CREATE TABLE stampede_position (id integer PRIMARY KEY CHECK (id = 1), pos bigint NOT NULL, epoch text NOT NULL)",
        "INSERT INTO stampede_position (id, pos, epoch) VALUES (1, 0, md5(random()::text || clock_timestamp()::text))",
        """
        CREATE TABLE stampede_events (
            pos bigint PRIMARY KEY, workflow_id text NOT NULL, seq bigint NOT NULL, ts double precision NOT NULL,
            type text NOT NULL, fields text NOT NULL, UNIQUE (workflow_id, seq))
        """,
    ]
}
