import StampedeJSON

public enum WorkflowStatus: String, Sendable, CaseIterable, Codable {
    case pending, running, completed, failed, cancelled
    /// After one of these the workflow emits nothing more (PROTOCOL §5.3).
    public var isTerminal: Bool { self == .completed || self == .failed || self == .cancelled }
}

public enum StepStatus: String, Sendable, CaseIterable, Codable {
    case executing, completed, failed
}

public struct SearchResult: Sendable, Equatable, Codable {
    public var title: String
    public var url: String
    public var snippet: String
    public init(title: String, url: String, snippet: String) {
        self.title = title
        self.url = url
        self.snippet = snippet
    }
    public var json: JSONValue { ["title": .string(title), "url": .string(url), "snippet": .string(snippet)] }
}

/// A workflow event before the log stamps it: its type (the Socket.IO event
/// name) and its type fields. `workflow_id`, `seq` and `ts` are added by the
/// log when it is appended.
public struct WorkflowEventBody: Sendable, Equatable {
    public var type: String
    public var fields: JSONObject

    public init(type: String, fields: JSONObject) {
        self.type = type
        self.fields = fields
    }

    public static func nodeUpdate(node: String, status: StepStatus, message: String? = nil) -> Self {
        var f: JSONObject = ["node": .string(node), "status": .string(status.rawValue)]
        if let message { f["message"] = .string(message) }
        return .init(type: "node_update", fields: f)
    }

    public static func toolUpdate(tool: String, status: StepStatus, message: String? = nil, executionTimeMs: Double? = nil) -> Self {
        var f: JSONObject = ["tool": .string(tool), "status": .string(status.rawValue)]
        if let message { f["message"] = .string(message) }
        if let executionTimeMs { f["execution_time_ms"] = .double(executionTimeMs) }
        return .init(type: "tool_update", fields: f)
    }

    public static func searchResults(query: String, results: [SearchResult], synthesis: String) -> Self {
        .init(type: "search_results", fields: [
            "query": .string(query), "results": .array(results.map(\.json)), "synthesis": .string(synthesis),
        ])
    }

    public static func workflowStatus(_ status: WorkflowStatus, error: String? = nil) -> Self {
        var f: JSONObject = ["status": .string(status.rawValue)]
        if let error { f["error"] = .string(error) }
        return .init(type: "workflow_status", fields: f)
    }

    /// The status this event moves the workflow to, if it is a `workflow_status`.
    public var workflowStatus: WorkflowStatus? {
        guard type == "workflow_status", let s = fields["status"]?.stringValue else { return nil }
        return WorkflowStatus(rawValue: s)
    }

    /// Parses one published event object (`{"type":…, …fields}`) from the
    /// HTTP API, enforcing the type-name and built-in field rules.
    public static func parsePublished(_ v: JSONValue) -> Result<WorkflowEventBody, ContractViolation> {
        guard var obj = v.objectValue else { return .failure(.init("event must be a JSON object")) }
        guard let type = obj["type"]?.stringValue else { return .failure(.init("event needs a string \"type\"")) }
        obj["type"] = nil
        obj["workflow_id"] = nil
        obj["seq"] = nil
        obj["ts"] = nil
        let body = WorkflowEventBody(type: type, fields: obj)
        if EventTypeName.builtIn.contains(type) {
            if let problem = body.builtInProblem { return .failure(.init(problem)) }
        } else if !EventTypeName.isValidCustom(type) {
            return .failure(.init("event type \(type.debugDescription) must match ^[a-z][a-z0-9_]{0,63}$ and not be reserved"))
        }
        return .success(body)
    }

    /// Why a built-in event lacks its required fields, or nil.
    var builtInProblem: String? {
        func str(_ k: String) -> String? { fields[k]?.stringValue }
        switch type {
        case "node_update":
            guard str("node") != nil, let s = str("status"), StepStatus(rawValue: s) != nil else {
                return "node_update needs node and status ∈ executing/completed/failed"
            }
        case "tool_update":
            guard str("tool") != nil, let s = str("status"), StepStatus(rawValue: s) != nil else {
                return "tool_update needs tool and status ∈ executing/completed/failed"
            }
        case "search_results":
            guard str("query") != nil, fields["results"]?.arrayValue != nil, str("synthesis") != nil else {
                return "search_results needs query, results and synthesis"
            }
        case "workflow_status":
            guard let s = str("status"), let st = WorkflowStatus(rawValue: s), st != .pending else {
                return "workflow_status needs status ∈ running/completed/failed/cancelled"
            }
        default: break
        }
        return nil
    }
}

/// A stamped event as it is sent: a flat JSON object with `workflow_id`,
/// `seq`, `ts` and the type fields.
public struct WorkflowEvent: Sendable, Equatable {
    public var workflowID: String
    public var seq: Int64
    public var ts: Double
    public var body: WorkflowEventBody

    public init(workflowID: String, seq: Int64, ts: Double, body: WorkflowEventBody) {
        self.workflowID = workflowID
        self.seq = seq
        self.ts = ts
        self.body = body
    }

    public var type: String { body.type }

    public var payload: JSONValue {
        var o: JSONObject = ["workflow_id": .string(workflowID), "seq": .int(seq), "ts": .double(ts)]
        for (k, v) in body.fields.entries { o[k] = v }
        return .object(o)
    }

    /// With the `type` key, as the HTTP API lists retained events.
    public var apiJSON: JSONValue {
        var o: JSONObject = ["type": .string(type)]
        for (k, v) in payload.objectValue!.entries { o[k] = v }
        return .object(o)
    }

    /// Reads a received Socket.IO event back (name + single argument).
    public init?(name: String, argument: JSONValue) {
        guard var obj = argument.objectValue, let wf = obj["workflow_id"]?.stringValue,
              let seq = obj["seq"]?.intValue else { return nil }
        let ts = obj["ts"]?.doubleValue ?? 0
        obj["workflow_id"] = nil
        obj["seq"] = nil
        obj["ts"] = nil
        self.init(workflowID: wf, seq: seq, ts: ts, body: WorkflowEventBody(type: name, fields: obj))
    }
}

public struct ContractViolation: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
