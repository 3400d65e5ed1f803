import Foundation
import StampedeContract
import StampedeJSON

/// One event of a subscribed workflow, as a subscription stream yields it:
/// the envelope every event has (`workflow_id`, `seq`, `ts`), the typed
/// payload for the contract's built-in types, and the raw JSON object for
/// custom types (or for fields a newer server adds).
public struct WorkflowUpdate: Sendable, Equatable {
    /// The typed payload; `.custom` for any type the contract does not define.
    public enum Payload: Sendable, Equatable {
        case nodeUpdate(NodeUpdate)
        case toolUpdate(ToolUpdate)
        case searchResults(SearchResults)
        case workflowStatus(WorkflowStatus)
        case custom(type: String)
    }

    public let workflowID: String
    /// 1, 2, 3, … per workflow, without gaps.
    public let seq: Int64
    /// Server emit time, milliseconds since the Unix epoch.
    public let ts: Double
    /// The event name (`node_update`, …, or a custom type).
    public let type: String
    public let payload: Payload
    /// The flat JSON object as sent (`workflow_id`, `seq`, `ts` and the type
    /// fields), UTF-8 encoded: decode custom types with `decode(_:)`.
    public let json: Data

    public var date: Date { Date(timeIntervalSince1970: ts / 1000) }

    /// Decodes the event object as `T` (e.g. a struct for a custom type), with the same JSON
    /// stack that read it off the wire.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONValueDecoder().decode(T.self, from: json)
    }

    /// Decodes the event object with a Foundation decoder of the caller's, for its strategies
    /// (snake-case keys, dates) on the caller's own types.
    public func decode<T: Decodable>(_ type: T.Type, using decoder: JSONDecoder) throws -> T {
        try decoder.decode(T.self, from: json)
    }

    /// True for a `workflow_status` that ends the workflow.
    public var isTerminal: Bool {
        if case .workflowStatus(let s) = payload { return s.status.isTerminal }
        return false
    }

    /// An update from an event object as the server sends it (previews,
    /// tests, or events an app stored): `type` is the event name, `json`
    /// the flat object with `workflow_id` and `seq`.
    public init(type: String, json: Data) throws {
        guard let event = WorkflowEvent(name: type, argument: try JSONParser.parse(Array(json))) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "an event object needs workflow_id and seq"))
        }
        self.init(event)
    }

    init(_ event: WorkflowEvent) {
        workflowID = event.workflowID
        seq = event.seq
        ts = event.ts
        type = event.type
        let object = event.payload
        var text = ""
        JSONWriter.write(object, into: &text)
        json = Data(text.utf8)
        payload = Self.typed(type, object)
    }

    /// A built-in type that does not decode (a server outside the contract)
    /// stays reachable as `.custom` with its JSON, rather than being dropped.
    private static func typed(_ type: String, _ json: JSONValue) -> Payload {
        let d = JSONValueDecoder()
        switch type {
        case "node_update": return (try? d.decode(NodeUpdate.self, from: json)).map(Payload.nodeUpdate) ?? .custom(type: type)
        case "tool_update": return (try? d.decode(ToolUpdate.self, from: json)).map(Payload.toolUpdate) ?? .custom(type: type)
        case "search_results": return (try? d.decode(SearchResults.self, from: json)).map(Payload.searchResults) ?? .custom(type: type)
        case "workflow_status": return (try? d.decode(WorkflowStatus.self, from: json)).map(Payload.workflowStatus) ?? .custom(type: type)
        default: return .custom(type: type)
        }
    }
}
