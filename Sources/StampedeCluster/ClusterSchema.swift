import Logging
import PostgresNIO

/// The cluster's tables, created or migrated at start: idempotent (every
/// step checks the recorded version) and safe when several nodes start at
/// once (an advisory lock serialises them).
enum ClusterSchema {
    static let version = 2
    private static let lockKey: Int64 = 0x5354_414D_5045  // "STAMPE"

    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { conn in
            try await conn.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await conn.query("CREATE TABLE IF NOT EXISTS stampede_schema (version integer NOT NULL)", logger: logger)
            var current = 0
            for try await v in try await conn.query("SELECT version FROM stampede_schema", logger: logger).decode(Int.self) {
                current = max(current, v)
            }
            for (version, statements) in [(1, v1), (2, v2)] where current < version {
                for statement in statements { try await conn.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await conn.query("INSERT INTO stampede_schema (version) VALUES (\(version))", logger: logger)
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

    /// Version 2: the nodes' heartbeat rows (counters as JSON) with the sets
    /// behind the distinct counts — sockets per user, workflows with a
    /// subscriber — removed with their node (a node silent for 3 s is
    /// dead); and the sessions kept for connection state recovery on any node.
    private static let v2 = [
        "CREATE TABLE stampede_nodes (node_id text PRIMARY KEY, seen_at timestamptz NOT NULL, figures jsonb NOT NULL)",
        """
        CREATE TABLE stampede_node_users (
            node_id text NOT NULL REFERENCES stampede_nodes ON DELETE CASCADE, user_id text NOT NULL,
            sockets integer NOT NULL, PRIMARY KEY (node_id, user_id))
        """,
        "CREATE INDEX stampede_node_users_user ON stampede_node_users (user_id)",
        """
        CREATE TABLE stampede_node_workflows (
            node_id text NOT NULL REFERENCES stampede_nodes ON DELETE CASCADE, workflow_id text NOT NULL,
            PRIMARY KEY (node_id, workflow_id))
        """,
        "CREATE INDEX stampede_workflows_running ON stampede_workflows (id) WHERE status = 'running'",
        """
        CREATE TABLE stampede_sessions (
            pid text PRIMARY KEY, sid text NOT NULL, user_id text NOT NULL, rooms jsonb NOT NULL,
            epoch text NOT NULL, position bigint NOT NULL, expires_at timestamptz NOT NULL)
        """,
    ]
}
