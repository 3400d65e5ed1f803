import StampedeJSON
import StampedeServer

/// What a publish transaction sends with `pg_notify`: the committed events themselves when they
/// fit under PostgreSQL's 8,000-byte payload limit, so the other nodes apply them without
/// reading the table; otherwise only the last position, and the nodes read the rows. Either way
/// the position is there, so a node that missed something (a gap) falls back to a catch-up.
enum JournalNotification: Equatable {
    /// Only positions: read the rows up to `last`.
    case positions(last: Int64)
    /// The events, in position order.
    case events([Row])

    struct Row: Equatable {
        var position: Int64
        var workflowID: String
        var seq: Int64
        var ts: Double
        var type: String
        /// The event's fields as the JSON text the table stores.
        var fields: String
    }

    /// PostgreSQL refuses payloads of 8,000 bytes or more; some room is left.
    static let payloadLimit = 7_900

    /// The payload for these rows (non-empty, in position order).
    static func payload(_ rows: [Row]) -> String {
        let last = rows.last?.position ?? 0
        // The fields alone past the limit: positions only, without serializing what would be
        // thrown away (a batch of large events is exactly the case that does not fit).
        var fieldBytes = 0
        for r in rows {
            fieldBytes += r.fields.utf8.count + r.workflowID.utf8.count + r.type.utf8.count
            if fieldBytes >= payloadLimit { return String(last) }
        }
        let events = JSONValue.array(rows.map { r in
            .array([.int(r.position), .string(r.workflowID), .int(r.seq), .double(r.ts), .string(r.type), .string(r.fields)])
        })
        let full: JSONValue = ["last": .int(last), "events": events]
        let text = full.serialized
        return text.utf8.count < payloadLimit ? text : String(last)
    }

    /// Reads a payload; nil for one no node of this version writes.
    static func parse(_ payload: String) -> JournalNotification? {
        if let last = Int64(payload) { return .positions(last: last) }
        guard let v = try? JSONParser.parse(payload), let items = v["events"]?.arrayValue else { return nil }
        var rows: [Row] = []
        rows.reserveCapacity(items.count)
        for item in items {
            guard let a = item.arrayValue, a.count == 6, let pos = a[0].intValue, let wf = a[1].stringValue,
                  let seq = a[2].intValue, let ts = a[3].doubleValue, let type = a[4].stringValue,
                  let fields = a[5].stringValue else { return nil }
            rows.append(Row(position: pos, workflowID: wf, seq: seq, ts: ts, type: type, fields: fields))
        }
        return rows.isEmpty ? nil : .events(rows)
    }

    var lastPosition: Int64 {
        switch self {
        case .positions(let last): last
        case .events(let rows): rows.last?.position ?? 0
        }
    }
}
