import Foundation

/// A workflow as the HTTP API describes it (PROTOCOL §7): what
/// `createWorkflow`, `startSearch`, `workflow` and `cancelWorkflow` return.
public struct TaskCard: Sendable, Equatable, Decodable {
    public var workflowID: String
    /// `search`, `external`, …
    public var type: String
    public var status: WorkflowStatus.State
    public var query: String?
    public var userID: String
    /// ISO 8601, as the server wrote it.
    public var createdAt: String
    /// The latest event's seq (`GET /api/v1/workflows/{id}` only).
    public var seq: Int64?

    enum CodingKeys: String, CodingKey {
        case workflowID = "workflow_id", type, status, query, userID = "user_id", createdAt = "created_at", seq
    }
}

/// A refused or failed HTTP API call.
public struct StampedeAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    /// The contract's error code (`rate_limited`, `not_found`, …), when the body had one.
    public var code: String?
    public var message: String
    /// From `Retry-After` on a 429.
    public var retryAfterSeconds: Int?

    public var description: String { "HTTP \(status) \(code ?? "") \(message)" }
}
