import StampedeContract
import StampedeJSON

/// Cluster mode: what a node tells the other nodes about itself (its
/// counters, and the sets behind the distinct counts) and what it learns
/// of them. Stats answer for the whole cluster; `/metrics` stays per node.
public protocol ClusterPresence: Sendable {
    /// The `/api/v1/websocket/stats` body for the whole cluster, with this
    /// node's own part current (it publishes before it reads).
    func clusterStats() async throws -> JSONValue
    /// PostgreSQL's `pg_notification_queue_usage()` at the last heartbeat
    /// (0…1): a stuck listener anywhere fills this queue for every node.
    var notificationQueueUsage: Double { get }
}

/// One node's figures as its heartbeat publishes them. The user and
/// workflow sets are published as rows, because `unique_users` and
/// `active_workflows` are distinct counts across nodes, not sums.
public struct NodeFigures: Sendable, Equatable {
    public var stats: StatsSnapshot
    public var socketsPerUser: [String: Int]
    public var activeWorkflows: Set<String>

    public init(stats: StatsSnapshot, socketsPerUser: [String: Int], activeWorkflows: Set<String>) {
        self.stats = stats
        self.socketsPerUser = socketsPerUser
        self.activeWorkflows = activeWorkflows
    }
}

extension Hub {
    var presence: (any ClusterPresence)? { settings.presence }

    /// What this node's heartbeat publishes.
    public func nodeFigures() -> NodeFigures {
        NodeFigures(stats: statsSnapshot, socketsPerUser: users.perUser, activeWorkflows: registry.activeWorkflowIDs)
    }

    /// The other nodes' sockets per user (the cluster-wide per-user cap).
    public func setRemoteSockets(_ perUser: [String: Int]) {
        users.setRemote(perUser)
    }

    /// `GET /api/v1/websocket/stats` in cluster mode (access already
    /// checked): the cluster's figures, or 503 when the database cannot
    /// answer — this node's figures alone would pass for the cluster's.
    func clusterStatsResponse(_ presence: any ClusterPresence) async -> APIResponse {
        do {
            return .json(200, try await presence.clusterStats())
        } catch {
            return Hub.unavailable(error)
        }
    }
}
