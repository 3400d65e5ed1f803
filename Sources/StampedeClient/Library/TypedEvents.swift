import Foundation
import StampedeContract

// The built-in event types of the contract (PROTOCOL §4), as Decodable
// values an app can switch over. They live in this module, not in
// StampedeContract, so `import StampedeClient` alone is enough to use them.
// JSON keys are the contract's snake_case names; the public initialisers
// are for previews and tests.
//
// `WorkflowStatus` and `StepStatus` share their names with StampedeContract's
// enums (the server's side): a file importing both modules must qualify them.

/// `executing`, `completed` or `failed`: the state of a node or tool step.
public enum StepStatus: String, Sendable, Codable, CaseIterable {
    case executing, completed, failed
}

/// `node_update`: a step of the workflow's graph moved.
public struct NodeUpdate: Sendable, Equatable, Decodable {
    public var node: String
    public var status: StepStatus
    public var message: String?

    public init(node: String, status: StepStatus, message: String? = nil) {
        self.node = node
        self.status = status
        self.message = message
    }
}

/// `tool_update`: a tool call started or ended.
public struct ToolUpdate: Sendable, Equatable, Decodable {
    public var tool: String
    public var status: StepStatus
    public var message: String?
    /// Milliseconds, when the tool reports it (on `completed`).
    public var executionTimeMs: Double?

    public init(tool: String, status: StepStatus, message: String? = nil, executionTimeMs: Double? = nil) {
        self.tool = tool
        self.status = status
        self.message = message
        self.executionTimeMs = executionTimeMs
    }

    enum CodingKeys: String, CodingKey {
        case tool, status, message
        case executionTimeMs = "execution_time_ms"
    }
}

/// `search_results`: what the search found and its synthesis.
public struct SearchResults: Sendable, Equatable, Decodable {
    /// One hit (title, url, snippet): the contract's own type, so the client and the server
    /// cannot disagree on its shape.
    public typealias Result = StampedeContract.SearchResult

    public var query: String
    public var results: [Result]
    public var synthesis: String

    public init(query: String, results: [Result], synthesis: String) {
        self.query = query
        self.results = results
        self.synthesis = synthesis
    }
}

/// `workflow_status`: the workflow's lifecycle; after a terminal status the
/// workflow emits nothing more and the subscription stream ends.
public struct WorkflowStatus: Sendable, Equatable, Decodable {
    public enum State: String, Sendable, Codable, CaseIterable {
        case pending, running, completed, failed, cancelled

        public var isTerminal: Bool { self == .completed || self == .failed || self == .cancelled }
    }

    public var status: State
    /// Why it failed, when it did.
    public var error: String?

    public init(status: State, error: String? = nil) {
        self.status = status
        self.error = error
    }
}
