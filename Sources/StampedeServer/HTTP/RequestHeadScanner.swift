import NIOCore
import NIOHTTP1

/// Reads one HTTP/1.1 GET request head from a connection's first bytes, for the WebSocket
/// upgrade's fast path (`UpgradeFastPathHandler`), strictly: it accepts only a subset of what
/// NIO's parser (llhttp) accepts, and on anything else answers nil, so that the request goes
/// to the full HTTP pipeline, which answers or refuses it as before. No request is read
/// differently by the two: a head this scanner takes is one llhttp would parse to the same
/// method, target, version and headers.
///
/// Taken: `GET /<RFC 3986 characters> HTTP/1.1` CRLF, then `name: value` CRLF lines (a name of
/// RFC 9110 token characters; a value of visible ASCII with inner spaces or tabs, leading ones
/// skipped, none trailing), then an empty line, all within `maxBytes`. Left to llhttp: any
/// other method or version, bare LF, folded lines, control or non-ASCII bytes, trailing
/// whitespace, a body (`Content-Length`, `Transfer-Encoding`), more than `maxHeaders` lines,
/// and a head the first read does not hold whole.
enum RequestHeadScanner {
    static let maxHeaders = 64
    private static let version = Array("HTTP/1.1\r\n".utf8)

    /// The head and how many bytes it took, or nil: let the HTTP pipeline read it.
    static func scanGET(_ bytes: UnsafeRawBufferPointer, maxBytes: Int) -> (head: HTTPRequestHead, length: Int)? {
        let n = min(bytes.count, maxBytes)
        var i = 0
        func at(_ k: Int) -> UInt8 { bytes[k] }
        // Request line.
        guard n > 14, at(0) == UInt8(ascii: "G"), at(1) == UInt8(ascii: "E"), at(2) == UInt8(ascii: "T"),
              at(3) == UInt8(ascii: " "), at(4) == UInt8(ascii: "/") else { return nil }
        i = 4
        let targetStart = i
        while i < n, isTargetCharacter(at(i)) { i += 1 }
        let targetEnd = i
        guard i < n, at(i) == UInt8(ascii: " "), n - (i + 1) >= version.count else { return nil }
        i += 1
        for b in version {
            guard at(i) == b else { return nil }
            i += 1
        }
        // Header lines, up to the empty one.
        var headers: [(String, String)] = []
        while true {
            guard i + 1 < n else { return nil }
            if at(i) == UInt8(ascii: "\r") {
                guard at(i + 1) == UInt8(ascii: "\n") else { return nil }
                i += 2
                break
            }
            guard headers.count < maxHeaders else { return nil }
            let nameStart = i
            while i < n, isTokenCharacter(at(i)) { i += 1 }
            guard i < n, i > nameStart, at(i) == UInt8(ascii: ":") else { return nil }
            let nameEnd = i
            i += 1
            while i < n, isOWS(at(i)) { i += 1 }
            let valueStart = i
            while i < n, isVisible(at(i)) || isOWS(at(i)) { i += 1 }
            let valueEnd = i
            guard i + 1 < n, at(i) == UInt8(ascii: "\r"), at(i + 1) == UInt8(ascii: "\n") else { return nil }
            if valueEnd > valueStart, isOWS(at(valueEnd - 1)) { return nil }
            i += 2
            let name = text(bytes, nameStart, nameEnd)
            if isBodyHeader(bytes, nameStart, nameEnd) { return nil }
            headers.append((name, text(bytes, valueStart, valueEnd)))
        }
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: text(bytes, targetStart, targetEnd),
                                   headers: HTTPHeaders(headers))
        return (head, i)
    }

    private static func text(_ bytes: UnsafeRawBufferPointer, _ from: Int, _ to: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[from..<to]), as: UTF8.self)
    }

    /// `Content-Length` or `Transfer-Encoding`, in any case: a GET with a body is llhttp's to frame.
    private static func isBodyHeader(_ bytes: UnsafeRawBufferPointer, _ from: Int, _ to: Int) -> Bool {
        let name = UnsafeRawBufferPointer(rebasing: bytes[from..<to])
        func equals(_ s: StaticString) -> Bool {
            guard name.count == s.utf8CodeUnitCount else { return false }
            return zip(name, UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)).allSatisfy { a, b in
                (a >= UInt8(ascii: "A") && a <= UInt8(ascii: "Z") ? a | 0x20 : a) == b
            }
        }
        return equals("content-length") || equals("transfer-encoding")
    }

    /// RFC 3986's unreserved and reserved characters and `%`, without `#` (no fragment is sent).
    private static func isTargetCharacter(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: ":"), UInt8(ascii: "/"),
             UInt8(ascii: "?"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "@"), UInt8(ascii: "!"), UInt8(ascii: "$"),
             UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
             UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: "%"):
            return true
        default:
            return false
        }
    }

    private static func isVisible(_ b: UInt8) -> Bool { b >= 0x21 && b <= 0x7E }

    private static func isOWS(_ b: UInt8) -> Bool { b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") }

    /// RFC 9110 §5.6.2 tchar.
    private static func isTokenCharacter(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}
