import StampedeTestSupport

/// Byte-level mutations in the style of libFuzzer's default mutator, plus
/// a dictionary of tokens that matter to these protocols (number edges,
/// JSON structure, separators, invalid UTF-8), stacked 1–4 per input.
struct Mutator {
    var random: SeededRandom
    let splices: [[UInt8]]
    var maxLength = 65_536

    static let dictionary: [[UInt8]] = [
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "18446744073709551615",
        "18446744073709551616", "123456789012345678901234567890", "9007199254740991", "9007199254740992",
        "-1", "0", "-0", "1e309", "-1e309", "1.5", "1e-400", "4294967296", "2147483648",
        "\"since\":", "\"workflow_id\":", "\"token\":", "\"_placeholder\":true,\"num\":", "\"num\":99999999999",
        "subscribe", "unsubscribe", "connect", "disconnect", "error",
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "\\ud800", "\\udfff", "null", "true", "false",
        "/", "/admin,", "-", "probe", "\u{1E}", "\u{1E}b", "\r\n", "\r\n\r\n", ": ", "%", "%00", "%zz", "&", "=",
        "Content-Length: ", "Transfer-Encoding: chunked", "Connection: close", "Upgrade: websocket",
        "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: ", "EIO=4", "transport=polling", "transport=websocket", "sid=",
    ].map { Array($0.utf8) } + [[0x00], [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80]]

    /// The dictionary's leading number edges.
    static let numbers = Array(dictionary.prefix(17))

    static let interestingBytes: [UInt8] = [0x00, 0x01, 0x1E, 0x7F, 0x80, 0xFF, 0xC0, 0xED, 0xF8,
                                            UInt8(ascii: "0"), UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "\""),
                                            UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: ","), UInt8(ascii: "\\")]

    init(seed: UInt64, splices: [[UInt8]]) {
        random = SeededRandom(seed: seed)
        self.splices = splices
    }

    mutating func mutate(_ input: [UInt8]) -> [UInt8] {
        var b = input
        for _ in 0...random.below(4) { mutateOnce(&b) }
        if b.count > maxLength { b.removeLast(b.count - maxLength) }
        return b
    }

    private mutating func mutateOnce(_ b: inout [UInt8]) {
        if b.isEmpty { b = random.pick(Self.dictionary); return }
        let i = random.below(b.count)
        switch random.below(12) {
        case 0: b[i] ^= UInt8(1 << random.below(8))
        case 1: b[i] = UInt8(truncatingIfNeeded: random.next())
        case 2: b[i] = random.pick(Self.interestingBytes)
        case 3: b.removeSubrange(i..<min(b.count, i + 1 + random.below(16)))
        case 4: b.insert(contentsOf: (0...random.below(8)).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: i)
        case 5, 6: b.insert(contentsOf: random.pick(Self.dictionary), at: i)
        case 7: replaceNumber(&b, near: i)
        case 8:  // repeat a chunk: deep nesting, long runs, many records
            let len = 1 + random.below(min(16, b.count - i))
            let chunk = Array(b[i..<(i + len)])
            let times = random.pick([2, 8, 64, 300])
            b.insert(contentsOf: Array(repeating: chunk, count: times).joined(), at: i)
        case 9:  // crossover with another seed
            let other = random.pick(splices)
            guard !other.isEmpty else { return }
            let j = random.below(other.count)
            b = Array(b[..<i]) + other[j...]
        case 10: b.removeSubrange(i...)
        default:
            let token = random.pick(Self.dictionary)
            b.replaceSubrange(i..<min(b.count, i + token.count), with: token)
        }
    }

    /// Swaps the digit run at or after `i` for an edge number: most of the
    /// arithmetic on client input (since, ack ids, counts, lengths) is here.
    private mutating func replaceNumber(_ b: inout [UInt8], near i: Int) {
        let isDigit = { (c: UInt8) in c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
        guard let start = b[i...].firstIndex(where: isDigit) ?? b[..<i].lastIndex(where: isDigit) else {
            b.insert(contentsOf: random.pick(Self.numbers), at: i)
            return
        }
        var s = start
        while s > 0, isDigit(b[s - 1]) { s -= 1 }
        var e = start
        while e < b.count, isDigit(b[e]) { e += 1 }
        b.replaceSubrange(s..<e, with: random.pick(Self.numbers))
    }
}
