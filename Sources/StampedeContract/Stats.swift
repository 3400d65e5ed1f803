/// The body of `GET /api/v1/websocket/stats` (PROTOCOL §7).
public struct StatsSnapshot: Sendable, Equatable, Codable {
    public struct Transports: Sendable, Equatable, Codable {
        public var websocket: Int
        public var polling: Int
        public init(websocket: Int = 0, polling: Int = 0) {
            self.websocket = websocket
            self.polling = polling
        }
    }

    /// Authenticated sockets.
    public var totalConnections: Int
    public var uniqueUsers: Int
    /// Workflows with at least one subscriber.
    public var activeWorkflows: Int
    public var totalSubscriptions: Int
    public var runningWorkflows: Int
    public var transports: Transports
    public var eventsPublished: Int
    public var eventsDelivered: Int
    public var rateLimited: Int
    public var authFailures: Int
    public var slowConsumerDisconnects: Int
    public var uptimeSeconds: Double

    public init(totalConnections: Int = 0, uniqueUsers: Int = 0, activeWorkflows: Int = 0, totalSubscriptions: Int = 0,
                runningWorkflows: Int = 0, transports: Transports = .init(), eventsPublished: Int = 0,
                eventsDelivered: Int = 0, rateLimited: Int = 0, authFailures: Int = 0,
                slowConsumerDisconnects: Int = 0, uptimeSeconds: Double = 0) {
        self.totalConnections = totalConnections
        self.uniqueUsers = uniqueUsers
        self.activeWorkflows = activeWorkflows
        self.totalSubscriptions = totalSubscriptions
        self.runningWorkflows = runningWorkflows
        self.transports = transports
        self.eventsPublished = eventsPublished
        self.eventsDelivered = eventsDelivered
        self.rateLimited = rateLimited
        self.authFailures = authFailures
        self.slowConsumerDisconnects = slowConsumerDisconnects
        self.uptimeSeconds = uptimeSeconds
    }

    enum CodingKeys: String, CodingKey {
        case totalConnections = "total_connections"
        case uniqueUsers = "unique_users"
        case activeWorkflows = "active_workflows"
        case totalSubscriptions = "total_subscriptions"
        case runningWorkflows = "running_workflows"
        case transports
        case eventsPublished = "events_published"
        case eventsDelivered = "events_delivered"
        case rateLimited = "rate_limited"
        case authFailures = "auth_failures"
        case slowConsumerDisconnects = "slow_consumer_disconnects"
        case uptimeSeconds = "uptime_seconds"
    }
}

/// The task card `POST /api/v1/workflows` answers with (PROTOCOL §7).
public struct TaskCard: Sendable, Equatable, Codable {
    public var workflowID: String
    public var type: String
    public var status: WorkflowStatus
    public var query: String?
    public var userID: String
    public var createdAt: String

    public init(workflowID: String, type: String, status: WorkflowStatus, query: String?, userID: String, createdAt: String) {
        self.workflowID = workflowID
        self.type = type
        self.status = status
        self.query = query
        self.userID = userID
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case workflowID = "workflow_id", type, status, query, userID = "user_id", createdAt = "created_at"
    }
}

/// Roles a token's `role` claim may carry (PROTOCOL §2).
public enum Role: String, Sendable, Codable {
    case user, service, admin
}

/// Who a verified token speaks for.
public struct Principal: Sendable, Equatable {
    public var userID: String
    public var role: Role
    public init(userID: String, role: Role = .user) {
        self.userID = userID
        self.role = role
    }
}
