import NIOCore
import StampedeContract
import StampedeJSON

/// One EVENT as the hot path sees it: the fields every check needs, pulled
/// out by `EventScanner` without building a JSON tree; the rest stays as
/// the received bytes (a slice of the frame, no copy) until someone asks for it.
public struct ReceivedEvent: Sendable, Equatable {
    /// The event name (the workflow event type, `error`, …).
    public var name: String
    /// `workflow_id` of the first argument when it is an object holding one.
    public var workflowID: String?
    /// `seq` of the first argument.
    public var seq: Int64?
    /// `ts` (server emit time, ms since the epoch) of the first argument. From the receive
    /// path, a `ts` whose digits need `strtod` is converted here, on first read: the
    /// generator's checks read `tsMicros` only.
    public var ts: Double? {
        get {
            guard tsText != 0 else { return tsValue }
            let start = Int(tsText >> 32), count = Int(tsText & 0xFFFF_FFFF)
            return rawBytes.withUnsafeReadableBytes { EventScanner.double(of: UnsafeRawBufferPointer(rebasing: $0[start..<(start + count)])) }
        }
        set {
            tsValue = newValue
            tsText = 0
        }
    }
    private var tsValue: Double?
    /// Where an unconverted `ts` stands in `rawBytes`: its offset in the high 32 bits, its
    /// length (never 0) in the low ones; 0 when `tsValue` is the answer.
    private var tsText: UInt64 = 0
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
    /// The packet's JSON array, `["name",{…}(,"offset")]`, as received: a slice
    /// sharing the frame's storage, so no per-event copy or `String` is made.
    public var rawBytes: ByteBuffer

    public init(name: String, workflowID: String? = nil, seq: Int64? = nil, ts: Double? = nil,
                tsMicros: UInt64? = nil, status: String? = nil, sentAtMicros: UInt64? = nil,
                offset: String? = nil, ackID: UInt64? = nil, rawBytes: ByteBuffer) {
        self.name = name
        self.workflowID = workflowID
        self.seq = seq
        self.tsValue = ts
        self.tsMicros = tsMicros
        self.status = status
        self.sentAtMicros = sentAtMicros
        self.offset = offset
        self.ackID = ackID
        self.rawBytes = rawBytes
    }

    /// The scanner's fields, moved rather than copied (the receive path builds one per delivery).
    init(_ scanned: consuming EventScanner.Result, offset: String?, ackID: UInt64?, rawBytes: ByteBuffer) {
        self.name = scanned.name
        self.workflowID = scanned.workflowID
        self.seq = scanned.seq
        self.tsValue = scanned.ts
        if let r = scanned.tsText, r.count > 0, r.upperBound <= rawBytes.readableBytes, r.upperBound <= UInt32.max {
            self.tsText = UInt64(r.lowerBound) << 32 | UInt64(r.count)
        }
        self.tsMicros = scanned.tsMicros
        self.status = scanned.status
        self.sentAtMicros = scanned.sentAtMicros
        self.offset = offset
        self.ackID = ackID
        self.rawBytes = rawBytes
    }

    public static func == (a: ReceivedEvent, b: ReceivedEvent) -> Bool {
        a.name == b.name && a.workflowID == b.workflowID && a.seq == b.seq && a.ts == b.ts && a.tsMicros == b.tsMicros
            && a.status == b.status && a.sentAtMicros == b.sentAtMicros && a.offset == b.offset && a.ackID == b.ackID
            && a.rawBytes == b.rawBytes
    }

    /// For callers holding the JSON array as text (tests, tools).
    public init(name: String, workflowID: String? = nil, seq: Int64? = nil, ts: Double? = nil,
                tsMicros: UInt64? = nil, status: String? = nil, sentAtMicros: UInt64? = nil,
                offset: String? = nil, ackID: UInt64? = nil, raw: Substring) {
        self.init(name: name, workflowID: workflowID, seq: seq, ts: ts, tsMicros: tsMicros, status: status,
                  sentAtMicros: sentAtMicros, offset: offset, ackID: ackID,
                  rawBytes: ByteBuffer(substring: raw))
    }

    /// The JSON array as text, made on each call: for the rare readers (the
    /// `error` event's body, diagnostics); the hot path never asks.
    public var raw: Substring { Substring(String(buffer: rawBytes)) }

    /// Whether the raw JSON holds `needle` byte for byte, without making a `String`.
    public func rawContains(_ needle: StaticString) -> Bool {
        rawBytes.withUnsafeReadableBytes { hay in
            let n = UnsafeRawBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
            guard n.count > 0, hay.count >= n.count else { return n.count == 0 }
            outer: for start in 0...(hay.count - n.count) where hay[start] == n[0] {
                for j in 1..<n.count where hay[start + j] != n[j] { continue outer }
                return true
            }
            return false
        }
    }

    /// The arguments after the name, fully parsed (the recovery offset, when
    /// one was stripped, is not among them).
    public var arguments: [JSONValue] {
        get throws {
            let all = try rawBytes.withUnsafeReadableBytes { try JSONParser.parse($0) }
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
