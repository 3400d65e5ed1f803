import NIOCore
import StampedeClient

/// Builds published events as JSON text: valid fields for the built-in types, the
/// generator's wall-clock send time in `sent_at_us` (event_delivery latency, exact and
/// stateless), and padding to reach `payload_bytes`.
enum EventPayload {
    static func json(type: String, payloadBytes: Int, sentAtMicros: UInt64, status: String? = nil) -> String {
        var fields: String
        switch type {
        case "node_update": fields = "\"node\":\"load\",\"status\":\"\(status ?? "executing")\""
        case "tool_update": fields = "\"tool\":\"LoadTool\",\"status\":\"\(status ?? "executing")\""
        case "workflow_status": fields = "\"status\":\"\(status ?? "running")\""
        case "search_results": fields = "\"query\":\"load\",\"results\":[],\"synthesis\":\"\""
        default: fields = "\"load\":true"
        }
        var s = "{\"type\":\"\(type)\",\(fields),\"sent_at_us\":\(sentAtMicros)"
        let pad = payloadBytes - s.utf8.count - 10
        if pad > 0 { s += ",\"pad\":\"" + String(repeating: "x", count: pad) + "\"" }
        return s + "}"
    }

    /// POST /api/v1/workflows/{id}/events with a batch (a JSON array when more than one).
    static func post(_ http: HTTPClient, token: String, workflow: String, events: [String],
                     on loop: EventLoop? = nil) -> EventLoopFuture<HTTPResponse> {
        let body = events.count == 1 ? events[0] : "[" + events.joined(separator: ",") + "]"
        return http.requestFuture("POST", "/api/v1/workflows/\(workflow)/events",
                                  headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                                  body: Array(body.utf8), on: loop)
    }
}
