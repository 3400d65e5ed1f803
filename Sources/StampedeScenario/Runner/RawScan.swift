/// Pulls one field out of an event's raw JSON without parsing it — the receive path only
/// needs `sent_at_us` (latency) and `status` (terminal/await) from a few events.
enum RawScan {
    static let sentAtKey = Array("\"sent_at_us\":".utf8)
    static let statusKey = Array("\"status\":\"".utf8)
    static let tsKey = Array("\"ts\":".utf8)

    /// The server's `ts` (ms since the epoch, fraction allowed) as µs since the epoch.
    /// Scans the contiguous bytes (events can carry 50 KB payloads; index-by-index is too slow).
    static func millisAsMicros(after key: [UInt8], in raw: Substring) -> UInt64? {
        var result: UInt64?
        raw.utf8.withContiguousStorageIfAvailable { buf in result = scanMillis(buf, key) } ?? {
            result = Array(raw.utf8).withUnsafeBufferPointer { scanMillis($0, key) }
        }()
        return result
    }

    /// Where the value after the first `key` starts, or nil.
    private static func valueStart(_ buf: UnsafeBufferPointer<UInt8>, _ key: [UInt8]) -> Int? {
        let n = buf.count, k = key.count
        guard k > 0, n >= k else { return nil }
        var i = 0
        while i <= n - k {
            if buf[i] == key[0] {
                var j = 1
                while j < k && buf[i + j] == key[j] { j += 1 }
                if j == k { return i + k }
            }
            i += 1
        }
        return nil
    }

    private static func scanMillis(_ buf: UnsafeBufferPointer<UInt8>, _ key: [UInt8]) -> UInt64? {
        guard var p = valueStart(buf, key) else { return nil }
        let n = buf.count
        var whole: UInt64 = 0, frac: UInt64 = 0, digits = 0, fracDigits = 0
        while p < n, let d = digit(buf[p]) { whole = whole &* 10 &+ d; p += 1; digits += 1 }
        guard digits > 0 else { return nil }
        if p < n, buf[p] == UInt8(ascii: ".") {
            p += 1
            while p < n, let d = digit(buf[p]) {
                if fracDigits < 3 { frac = frac * 10 + d; fracDigits += 1 }
                p += 1
            }
        }
        while fracDigits < 3 { frac *= 10; fracDigits += 1 }
        return whole &* 1000 &+ frac
    }

    @inline(__always) private static func digit(_ b: UInt8) -> UInt64? { b >= 48 && b <= 57 ? UInt64(b - 48) : nil }

    static func uint(after key: [UInt8], in raw: Substring) -> UInt64? {
        var result: UInt64?
        raw.utf8.withContiguousStorageIfAvailable { buf in result = scanUInt(buf, key) } ?? {
            result = Array(raw.utf8).withUnsafeBufferPointer { scanUInt($0, key) }
        }()
        return result
    }

    static func string(after key: [UInt8], in raw: Substring) -> Substring? {
        let u = raw.utf8
        guard let start = find(key, in: u) else { return nil }
        guard let end = u[start...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        return Substring(u[start..<end])
    }

    private static func find(_ key: [UInt8], in u: Substring.UTF8View) -> Substring.UTF8View.Index? {
        guard let first = key.first else { return nil }
        var i = u.startIndex
        while let hit = u[i...].firstIndex(of: first) {
            if u[hit...].starts(with: key) { return u.index(hit, offsetBy: key.count) }
            i = u.index(after: hit)
        }
        return nil
    }

    private static func scanUInt(_ buf: UnsafeBufferPointer<UInt8>, _ key: [UInt8]) -> UInt64? {
        guard var p = valueStart(buf, key) else { return nil }
        var v: UInt64 = 0, digits = 0
        while p < buf.count, let d = digit(buf[p]) { v = v &* 10 &+ d; p += 1; digits += 1 }
        return digits > 0 ? v : nil
    }
}
