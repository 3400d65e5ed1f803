#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StampedeContract

/// A single forward pass over an EVENT's JSON array that pulls out what the
/// load generator's checks need — name, `workflow_id`, `seq`, `ts`, `status`,
/// the generator's `sent_at_us` and a trailing recovery offset — so the
/// receive path reads a frame once and never builds a JSONValue tree. It trusts the server's JSON to be well formed (a full parse on
/// demand still validates); anything it cannot read returns nil and the
/// caller falls back to the full parser.
public enum EventScanner {
    public struct Result: Sendable, Equatable {
        public var name: String
        public var workflowID: String?
        public var seq: Int64?
        public var ts: Double?
        /// `ts` (ms since the epoch, fraction allowed) as exact µs: the clock
        /// estimate needs µs, which a Double of ms rounds.
        public var tsMicros: UInt64?
        /// The top-level `status` string (node, tool and workflow status events).
        public var status: String?
        /// The load generator's wall-clock send time, stamped into what it publishes.
        public var sentAtMicros: UInt64?
        /// The last argument when it is a string following at least one
        /// other argument: the offset that connection state recovery appends.
        public var trailingString: String?
        public var argumentCount: Int
        /// Where `ts` stands in the scanned bytes when the receive path left its `Double` to be
        /// made on demand (`ReceivedEvent.ts`); `ts` is nil then.
        var tsText: Range<Int>?
    }

    public static func scan(_ text: Substring) -> Result? {
        if let r = text.utf8.withContiguousStorageIfAvailable({ scan(bytes: $0) }) { return r }
        return Array(text.utf8).withUnsafeBufferPointer { scan(bytes: $0) }
    }

    public static func scan(bytes p: UnsafeBufferPointer<UInt8>) -> Result? {
        var none = RecentStrings(capacity: 0)
        return scan(bytes: p, workflowIDs: &none)
    }

    /// The receive path's entry: the bytes in place (a slice of the frame), and the workflow ids
    /// this connection saw last, so a delivery for one of them reuses that `String` instead of
    /// allocating and validating a new one (a client follows a handful of workflows).
    public static func scan(bytes raw: UnsafeRawBufferPointer, workflowIDs: inout RecentStrings) -> Result? {
        raw.withMemoryRebound(to: UInt8.self) { scan(bytes: $0, workflowIDs: &workflowIDs) }
    }

    /// The receive path's scan: `ts` may come back as `tsText` (see `scan(bytes:workflowIDs:lazyTimestamp:)`).
    static func scanLeavingTimestampText(_ raw: UnsafeRawBufferPointer, workflowIDs: inout RecentStrings) -> Result? {
        raw.withMemoryRebound(to: UInt8.self) { scan(bytes: $0, workflowIDs: &workflowIDs, lazyTimestamp: true) }
    }

    /// The `Double` of a JSON number's text, as the full parser reads it.
    static func double(of text: UnsafeRawBufferPointer) -> Double? {
        Double(String(decoding: text, as: UTF8.self))
    }

    /// `lazyTimestamp`: a `ts` whose `Double` needs `strtod` (17 significant digits, as Swift
    /// prints most timestamps) is left as `tsText`; its exact µs are read either way. The
    /// generator's checks read only the µs, and `strtod` was 1.6 % of its CPU (§19).
    static func scan(bytes p: UnsafeBufferPointer<UInt8>, workflowIDs: inout RecentStrings,
                     lazyTimestamp: Bool = false) -> Result? {
        var c = Cursor(p: p, lazyDouble: lazyTimestamp)
        c.skipWS()
        guard c.eat(UInt8(ascii: "[")) else { return nil }
        c.skipWS()
        guard let name = c.readKnownString() else { return nil }
        var result = Result(name: name, argumentCount: 0)
        var lastString: String?
        while true {
            c.skipWS()
            if c.eat(UInt8(ascii: "]")) { break }
            guard c.eat(UInt8(ascii: ",")) else { return nil }
            c.skipWS()
            result.argumentCount += 1
            lastString = nil
            if result.argumentCount == 1, c.peek == UInt8(ascii: "{") {
                guard c.scanEventObject(into: &result, workflowIDs: &workflowIDs) else { return nil }
            } else if c.peek == UInt8(ascii: "\"") {
                guard let s = c.readString() else { return nil }
                lastString = s
            } else {
                guard c.skipValue() else { return nil }
            }
        }
        if result.argumentCount >= 2 { result.trailingString = lastString }
        return result
    }
}

/// The last few distinct strings a scanner produced for one field, reused when the same bytes
/// arrive again. A value type owned by one connection, fixed capacity. The first string kept
/// (or the one a subscribe `remember`ed) stays inline and is never replaced by a newcomer: with
/// 10,000 connections an array's storage is cold at every event, and a connection's own
/// workflow is the one its events name; the other slots are replaced round-robin.
public struct RecentStrings: Sendable {
    private var first: String?
    private var others: [String] = []
    private var next = 0
    public let capacity: Int

    public init(capacity: Int) { self.capacity = capacity }

    /// The `String` for `bytes` (valid UTF-8 without escapes): a remembered one when equal.
    mutating func string(for bytes: UnsafeBufferPointer<UInt8>) -> String {
        if let first, Self.equal(first, bytes) { return first }
        for s in others where Self.equal(s, bytes) { return s }
        let made = String(decoding: bytes, as: UTF8.self)
        keep(made)
        return made
    }

    /// Makes `s` the instance returned for its bytes (replacing an equal one): the ids a client
    /// subscribed to then come back as the very `String` its checks keyed their tables with, so
    /// their lookups compare by identity instead of reading a second copy of the bytes.
    mutating func remember(_ s: String) {
        if first == s { first = s; return }
        if let i = others.firstIndex(of: s) { others[i] = s; return }
        keep(s)
    }

    private mutating func keep(_ s: String) {
        guard capacity > 0 else { return }
        if first == nil || capacity == 1 { first = s; return }
        if others.count < capacity - 1 { others.append(s) } else { others[next] = s; next = (next + 1) % (capacity - 1) }
    }

    static func equal(_ s: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let u = s.utf8
        guard u.count == bytes.count else { return false }
        return u.withContiguousStorageIfAvailable { mine in
            mine.count == 0 || memcmp(mine.baseAddress!, bytes.baseAddress!, mine.count) == 0
        } ?? u.elementsEqual(bytes)
    }
}

/// The event names and statuses of PROTOCOL §5, made once.
enum KnownStrings {
    static let all: [String] = ["node_update", "tool_update", "search_results", "workflow_status", "error"]
        + StampedeContract.WorkflowStatus.allCases.map(\.rawValue)
        + StampedeContract.StepStatus.allCases.map(\.rawValue).filter { StampedeContract.WorkflowStatus(rawValue: $0) == nil }

    static func string(for bytes: UnsafeBufferPointer<UInt8>) -> String? {
        for s in all where RecentStrings.equal(s, bytes) { return s }
        return nil
    }
}

private let quote = UInt8(ascii: "\"")
private let backslash = UInt8(ascii: "\\")

private struct Cursor {
    let p: UnsafeBufferPointer<UInt8>
    var i = 0
    /// `readNumber` returns a nil `double` instead of calling `strtod`.
    let lazyDouble: Bool

    init(p: UnsafeBufferPointer<UInt8>, lazyDouble: Bool = false) {
        self.p = p
        self.lazyDouble = lazyDouble
    }

    var peek: UInt8? { i < p.count ? p[i] : nil }

    mutating func skipWS() {
        while i < p.count, p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09 { i += 1 }
    }

    mutating func eat(_ b: UInt8) -> Bool {
        guard i < p.count, p[i] == b else { return false }
        i += 1
        return true
    }

    /// The byte range of a string's contents and whether it holds escapes.
    mutating func stringRange() -> (Range<Int>, escaped: Bool)? {
        guard eat(quote) else { return nil }
        let start = i
        var escaped = false
        while i < p.count {
            let b = p[i]
            if b == quote { i += 1; return (start..<(i - 1), escaped) }
            if b == backslash { escaped = true; i += 2 } else { i += 1 }
        }
        return nil
    }

    mutating func readString() -> String? {
        guard let (r, escaped) = stringRange() else { return nil }
        if !escaped { return String(decoding: UnsafeBufferPointer(rebasing: p[r]), as: UTF8.self) }
        return JSONStringUnescaper.unescape(UnsafeBufferPointer(rebasing: p[r]))
    }

    /// `readString`, returning the contract's own `String` when the bytes are one of its event
    /// names or statuses: nearly every event's name and status is, and a `String` built from the
    /// bytes validates them first (1 % of the generator's CPU, docs/BENCHMARKS.md §19).
    mutating func readKnownString() -> String? {
        guard let (r, escaped) = stringRange() else { return nil }
        let bytes = UnsafeBufferPointer(rebasing: p[r])
        if !escaped { return KnownStrings.string(for: bytes) ?? String(decoding: bytes, as: UTF8.self) }
        return JSONStringUnescaper.unescape(bytes)
    }

    /// `readString`, reusing a recent equal `String` (escaped strings are rare and not reused).
    mutating func readString(reusing recent: inout RecentStrings) -> String? {
        guard let (r, escaped) = stringRange() else { return nil }
        if !escaped { return recent.string(for: UnsafeBufferPointer(rebasing: p[r])) }
        return JSONStringUnescaper.unescape(UnsafeBufferPointer(rebasing: p[r]))
    }

    func keyEquals(_ r: Range<Int>, _ key: StaticString) -> Bool {
        guard r.count == key.utf8CodeUnitCount else { return false }
        let k = key.utf8Start
        for j in 0..<r.count where p[r.lowerBound + j] != k[j] { return false }
        return true
    }

    /// The top-level keys of the event object; nested values are skipped.
    mutating func scanEventObject(into result: inout EventScanner.Result, workflowIDs: inout RecentStrings) -> Bool {
        guard eat(UInt8(ascii: "{")) else { return false }
        skipWS()
        if eat(UInt8(ascii: "}")) { return true }
        while true {
            skipWS()
            guard let (key, _) = stringRange() else { return false }
            skipWS()
            guard eat(UInt8(ascii: ":")) else { return false }
            skipWS()
            if keyEquals(key, "workflow_id"), peek == quote {
                guard let s = readString(reusing: &workflowIDs) else { return false }
                result.workflowID = s
            } else if keyEquals(key, "seq"), let n = readNumber() {
                result.seq = n.int  // a fractional seq is no seq
            } else if keyEquals(key, "ts"), let n = readNumber() {
                result.ts = n.double
                if n.double == nil { result.tsText = n.text }
                result.tsMicros = n.millisAsMicros
            } else if keyEquals(key, "status"), peek == quote {
                guard let s = readKnownString() else { return false }
                result.status = s
            } else if keyEquals(key, "sent_at_us"), let n = readNumber() {
                result.sentAtMicros = n.int.flatMap { $0 >= 0 ? UInt64($0) : nil }
            } else if !skipValue() {
                return false
            }
            skipWS()
            if eat(UInt8(ascii: "}")) { return true }
            guard eat(UInt8(ascii: ",")) else { return false }
        }
    }

    /// A JSON number read in place: `int` when it has no fraction or exponent;
    /// `millisAsMicros` when it is plain `digits[.digits]` (read as ms, first
    /// three fraction digits kept). The Double is built without a String when
    /// its digits fit a Double exactly (one correctly rounded division).
    mutating func readNumber() -> (int: Int64?, double: Double?, millisAsMicros: UInt64?, text: Range<Int>)? {
        let start = i
        var negative = false
        if eat(UInt8(ascii: "-")) { negative = true }
        var value: Int64 = 0
        var overflow = false
        var digits = 0
        while i < p.count, p[i] >= 0x30, p[i] <= 0x39 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(p[i] - 0x30))
            overflow = overflow || o1 || o2
            value = a
            digits += 1
            i += 1
        }
        guard digits > 0 else { i = start; return nil }
        let whole = value
        var mantissa = value
        var fractionDigits = 0
        var millisFraction: UInt64 = 0
        if i < p.count, p[i] == UInt8(ascii: ".") {
            i += 1
            while i < p.count, p[i] >= 0x30, p[i] <= 0x39 {
                let d = Int64(p[i] - 0x30)
                if fractionDigits < 3 { millisFraction = millisFraction * 10 + UInt64(d) }
                let (m, o1) = mantissa.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(d)
                overflow = overflow || o1 || o2
                mantissa = a
                fractionDigits += 1
                i += 1
            }
        }
        var exponent = false
        while i < p.count, p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E") || p[i] == UInt8(ascii: "+")
            || p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: ".") || (p[i] >= 0x30 && p[i] <= 0x39) {
            exponent = true
            i += 1
        }
        if !exponent && !overflow && fractionDigits == 0 {
            let v = negative ? -value : value
            return (v, Double(v), negative ? nil : UInt64(v) &* 1000, start..<i)
        }
        var micros: UInt64?
        if !exponent && !negative && !overflow && whole >= 0 {
            var f = millisFraction
            for _ in min(fractionDigits, 3)..<3 { f *= 10 }
            micros = UInt64(whole) &* 1000 &+ f
        }
        if !exponent && !overflow && mantissa < (1 << 53) && fractionDigits <= 22 {
            let d = Double(mantissa) / Self.powersOfTen[fractionDigits]
            return (nil, negative ? -d : d, micros, start..<i)
        }
        if lazyDouble { return (nil, nil, micros, start..<i) }
        guard let d = EventScanner.double(of: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: p[start..<i]))) else { return nil }
        return (nil, d, micros, start..<i)
    }

    /// 10^0 … 10^22, each exact as a Double.
    static let powersOfTen: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { acc, _ in acc * 10 } }

    /// Skips one value of any kind, counting brackets outside strings.
    mutating func skipValue() -> Bool {
        guard let b = peek else { return false }
        if b == quote { return stringRange() != nil }
        if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") {
            var depth = 0
            while i < p.count {
                let c = p[i]
                if c == quote {
                    guard stringRange() != nil else { return false }
                    continue
                }
                if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1 }
                if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { i += 1; return true }
                }
                i += 1
            }
            return false
        }
        let start = i
        while i < p.count {
            let c = p[i]
            if c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { break }
            i += 1
        }
        return i > start
    }
}
