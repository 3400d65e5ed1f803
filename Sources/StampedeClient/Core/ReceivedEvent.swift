import StampedeContract
import StampedeJSON

/// One EVENT as the hot path sees it: the fields every check needs, pulled
/// out by `EventScanner` without building a JSON tree; the rest stays as
/// text until someone asks for it.
public struct ReceivedEvent: Sendable, Equatable {
    /// The event name (the workflow event type, `error`, …).
    public var name: String
    /// `workflow_id` of the first argument when it is an object holding one.
    public var workflowID: String?
    /// `seq` of the first argument.
    public var seq: Int64?
    /// `ts` (server emit time, ms since the epoch) of the first argument.
    public var ts: Double?
    /// `ts` as exact µs since the epoch (nil when `ts` is not a plain number).
    public var tsMicros: UInt64?
    /// The top-level `status` string, when the event has one.
    public var status: String?
    /// The load generator's send time (`sent_at_us`), on events it published.
    public var sentAtMicros: UInt64?
    /// The connection-state-recovery offset: a string argument after the
    /// event object, present only when the session has a `pid`.
    public var offset: String?
    /// Set when the server asked for an ack (not used by the contract).
    public var ackID: UInt64?
    /// The packet's JSON array, `["name",{…}(,"offset")]`, unparsed.
    public var raw: Substring

    public init(name: String, workflowID: String? = nil, seq: Int64? = nil, ts: Double? = nil,
                tsMicros: UInt64? = nil, status: String? = nil, sentAtMicros: UInt64? = nil,
                offset: String? = nil, ackID: UInt64? = nil, raw: Substring) {
        self.name = name
        self.workflowID = workflowID
        self.seq = seq
        self.ts = ts
        self.tsMicros = tsMicros
        self.status = status
        self.sentAtMicros = sentAtMicros
        self.offset = offset
        self.ackID = ackID
        self.raw = raw
    }

    /// The arguments after the name, fully parsed (the recovery offset, when
    /// one was stripped, is not among them).
    public var arguments: [JSONValue] {
        get throws {
            let all = try JSONParser.parse(String(raw))
            guard var a = all.arrayValue, !a.isEmpty else { return [] }
            a.removeFirst()
            if offset != nil, !a.isEmpty { a.removeLast() }
            return a
        }
    }

    /// The typed workflow event, or nil when this is not one (e.g. `error`).
    public var workflowEvent: WorkflowEvent? {
        guard workflowID != nil, seq != nil, let first = try? arguments.first else { return nil }
        return WorkflowEvent(name: name, argument: first)
    }
}
