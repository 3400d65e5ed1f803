import Foundation
import Logging
import PostgresNIO
import StampedeContract
import StampedeJSON

/// `/api/v1/websocket/stats` for the whole cluster, read in one statement
/// (one snapshot) from the live nodes' heartbeat rows: counters are sums;
/// `unique_users` and `active_workflows` are distinct counts over the
/// nodes' rows (a user with sockets on two nodes counts once);
/// `running_workflows` comes from the workflows table; `uptime_seconds` is
/// the oldest live node's. `nodes` lists each node's own figures, where
/// `events_published` counts the events committed through that node.
enum ClusterStatsQuery {
    static func read(_ client: PostgresClient, logger: Logger) async throws -> JSONValue {
        let rows = try await client.query("""
            WITH live AS (
              SELECT node_id, figures FROM stampede_nodes
              WHERE seen_at >= clock_timestamp() - make_interval(secs => \(NodeHeartbeat.deadAfterSeconds)))
            SELECT
              (SELECT count(DISTINCT user_id) FROM stampede_node_users WHERE node_id IN (SELECT node_id FROM live)),
              (SELECT count(DISTINCT workflow_id) FROM stampede_node_workflows WHERE node_id IN (SELECT node_id FROM live)),
              (SELECT count(*) FROM stampede_workflows WHERE status = 'running'),
              (SELECT coalesce(jsonb_agg(jsonb_build_object('node_id', node_id) || figures ORDER BY node_id), '[]'::jsonb)::text FROM live)
            """, logger: logger)
        var result: JSONValue = .null
        for try await (users, workflows, running, nodes) in rows.decode((Int64, Int64, Int64, String).self) {
            result = try body(uniqueUsers: Int(users), activeWorkflows: Int(workflows), runningWorkflows: Int(running), nodesJSON: nodes)
        }
        return result
    }

    static func body(uniqueUsers: Int, activeWorkflows: Int, runningWorkflows: Int, nodesJSON: String) throws -> JSONValue {
        let nodes = try JSONParser.parse(Array(nodesJSON.utf8)).arrayValue ?? []
        let decoder = JSONValueDecoder()
        var total = StatsSnapshot(uniqueUsers: uniqueUsers, activeWorkflows: activeWorkflows, runningWorkflows: runningWorkflows)
        for node in nodes {
            // A row this version cannot read (another release mid-upgrade) is listed, not summed.
            guard let s = try? decoder.decode(StatsSnapshot.self, from: node) else { continue }
            total.totalConnections += s.totalConnections
            total.totalSubscriptions += s.totalSubscriptions
            total.transports.websocket += s.transports.websocket
            total.transports.polling += s.transports.polling
            total.eventsPublished += s.eventsPublished
            total.eventsDelivered += s.eventsDelivered
            total.rateLimited += s.rateLimited
            total.authFailures += s.authFailures
            total.slowConsumerDisconnects += s.slowConsumerDisconnects
            total.uptimeSeconds = max(total.uptimeSeconds, s.uptimeSeconds)
        }
        guard case .object(var object) = try JSONValueEncoder().encode(total) else { return .null }
        object["nodes"] = .array(nodes)
        return .object(object)
    }
}
