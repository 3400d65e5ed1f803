import NIOHTTP1

/// Comma-separated header tokens (RFC 9110 §5.6.1) read over their bytes, ASCII case-insensitively.
/// An upgrade reads three such headers; `HTTPHeaders[canonicalForm:]` with `lowercased()` built a
/// string per token, and Foundation's `trimmingCharacters` took 2.4 % of a connect's server CPU
/// by itself (docs/BENCHMARKS.md §19).
enum HeaderTokens {
    /// Whether any value of `name` holds `token` as one of its comma-separated items.
    static func contains(_ headers: HTTPHeaders, _ name: String, token: String) -> Bool {
        var found = false
        forEach(headers, name) { item in
            if equalsIgnoringASCIICase(item, token) { found = true; return false }
            return true
        }
        return found
    }

    /// Whether the values of `name` hold exactly one non-empty item, and it is `token`.
    static func isOnly(_ headers: HTTPHeaders, _ name: String, token: String) -> Bool {
        var count = 0
        var matched = false
        forEach(headers, name) { item in
            count += 1
            matched = equalsIgnoringASCIICase(item, token)
            return count < 2
        }
        return count == 1 && matched
    }

    /// `text` without leading and trailing optional whitespace (space and tab).
    static func trimmed(_ text: Substring) -> Substring {
        let u = text.utf8
        guard let first = u.firstIndex(where: { !isOWS($0) }) else { return text[text.endIndex...] }
        let last = u.lastIndex(where: { !isOWS($0) })!
        return text[first...last]
    }

    /// Calls `body` with every non-empty, trimmed item of every value of `name`, until it returns false.
    private static func forEach(_ headers: HTTPHeaders, _ name: String, _ body: (Substring) -> Bool) {
        for value in headers[name] {
            var rest = Substring(value)
            while true {
                let comma = rest.utf8.firstIndex(of: UInt8(ascii: ","))
                let item = trimmed(rest[..<(comma ?? rest.endIndex)])
                if !item.isEmpty, !body(item) { return }
                guard let comma else { break }
                rest = rest[rest.utf8.index(after: comma)...]
            }
        }
    }

    private static func isOWS(_ b: UInt8) -> Bool { b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") }

    static func equalsIgnoringASCIICase(_ a: Substring, _ b: String) -> Bool {
        a.utf8.elementsEqual(b.utf8) { x, y in lowerASCII(x) == lowerASCII(y) }
    }

    private static func lowerASCII(_ b: UInt8) -> UInt8 {
        b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") ? b | 0x20 : b
    }
}
