import NIOCore
import NIOEmbedded
import NIOHTTP1
import StampedeTestSupport
import Testing

@testable import StampedeServer

/// The upgrade's fast path reads a request head itself (§21). What it takes must be read exactly
/// as NIO's parser (llhttp) reads it, and whatever it is unsure of must be left to llhttp.
@Suite struct RequestHeadScannerTests {
    private let request = RawFrames.upgradeRequest(path: "/socket.io/?EIO=4&transport=websocket&token=a.b-c_d%20e", port: 8080,
                                                   extra: [("Origin", "http://localhost:3000"), ("Authorization", "Bearer x.y.z"),
                                                           ("Cookie", "a=1; b=\"2\""), ("X-Tab", "in\tside")])

    private func scan(_ text: String, maxBytes: Int = 8192) -> (head: HTTPRequestHead, length: Int)? {
        scan(Array(text.utf8), maxBytes: maxBytes)
    }

    private func scan(_ bytes: [UInt8], maxBytes: Int = 8192) -> (head: HTTPRequestHead, length: Int)? {
        bytes.withUnsafeBytes { RequestHeadScanner.scanGET($0, maxBytes: maxBytes) }
    }

    /// llhttp's reading of `bytes` as NIO's server decoder gives it: the head, or nil when it
    /// refuses the bytes or has no whole head yet.
    private func llhttp(_ bytes: [UInt8]) -> HTTPRequestHead? {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes)))
        defer { _ = try? channel.finish() }
        guard (try? channel.writeInbound(ByteBuffer(bytes: bytes))) != nil else { return nil }
        guard case .head(let h)? = try? channel.readInbound(as: HTTPServerRequestPart.self) else { return nil }
        return h
    }

    private func same(_ a: HTTPRequestHead, _ b: HTTPRequestHead) -> Bool {
        a.method == b.method && a.uri == b.uri && a.version == b.version
            && a.headers.map { "\($0.name)\u{0}\($0.value)" } == b.headers.map { "\($0.name)\u{0}\($0.value)" }
    }

    @Test func aBrowsersUpgradeRequestIsReadAsLLHTTPReadsIt() throws {
        let bytes = Array(request.utf8)
        let scanned = try #require(scan(bytes))
        let parsed = try #require(llhttp(bytes))
        #expect(scanned.length == bytes.count)
        #expect(same(scanned.head, parsed), "\(scanned.head) vs \(parsed)")
        #expect(scanned.head.headers.first(name: "x-tab") == "in\tside")
        #expect(scanned.head.isKeepAlive == parsed.isKeepAlive)
    }

    @Test func bytesAfterTheHeadAreNotPartOfIt() throws {
        let frame: [UInt8] = [0x81, 0x82, 1, 2, 3, 4, 0x35, 0x32]
        let scanned = try #require(scan(Array(request.utf8) + frame))
        #expect(scanned.length == request.utf8.count)
    }

    @Test func whatItIsUnsureOfIsLeftToLLHTTP() {
        let base = request
        let cases: [(String, String)] = [
            ("no whole head yet", String(base.dropLast(2))),
            ("another method", "POST" + base.dropFirst(3)),
            ("HTTP/1.0", base.replacingOccurrences(of: "HTTP/1.1", with: "HTTP/1.0")),
            ("a bare LF", base.replacingOccurrences(of: "Upgrade: websocket\r\n", with: "Upgrade: websocket\n")),
            ("a folded line", base.replacingOccurrences(of: "Upgrade: websocket\r\n", with: "Upgrade: websocket\r\n  more\r\n")),
            ("trailing whitespace", base.replacingOccurrences(of: "Upgrade: websocket", with: "Upgrade: websocket ")),
            ("a space before the colon", base.replacingOccurrences(of: "Upgrade: websocket", with: "Upgrade : websocket")),
            ("a body length", base.replacingOccurrences(of: "Upgrade: websocket", with: "Upgrade: websocket\r\ncontent-LENGTH: 0")),
            ("a chunked body", base.replacingOccurrences(of: "Upgrade: websocket", with: "Upgrade: websocket\r\nTransfer-Encoding: chunked")),
            ("a control byte", base.replacingOccurrences(of: "Upgrade: websocket", with: "Upgrade: web\u{1}socket")),
            ("a non-ASCII value", base.replacingOccurrences(of: "Upgrade: websocket", with: "Upgrade: websöcket")),
            ("a fragment", base.replacingOccurrences(of: "transport=websocket", with: "transport=websocket#x")),
            ("a quote in the target", base.replacingOccurrences(of: "transport=websocket", with: "transport=\"websocket\"")),
            ("an absolute target", base.replacingOccurrences(of: "GET /socket.io/", with: "GET http://h/socket.io/")),
            ("a name without a value's colon", base.replacingOccurrences(of: "Upgrade: websocket", with: "Upgrade websocket")),
            ("an empty name", base.replacingOccurrences(of: "Upgrade: websocket", with: ": websocket")),
        ]
        for (why, text) in cases {
            #expect(scan(text) == nil, "\(why) was read")
        }
        let many = base.replacingOccurrences(of: "\r\n\r\n", with: "\r\n" + (0..<RequestHeadScanner.maxHeaders).map { "X-\($0): v\r\n" }.joined() + "\r\n")
        #expect(scan(many) == nil, "more than maxHeaders lines were read")
        #expect(scan(base, maxBytes: base.utf8.count - 1) == nil, "a head past maxBytes was read")
        #expect(scan(base, maxBytes: base.utf8.count) != nil)
    }

    /// 20,000 requests, each the upgrade request with one to four bytes replaced, inserted or
    /// removed (a fixed seed): every one the scanner takes, llhttp parses to the same head.
    @Test func everyMutantItTakesLLHTTPReadsTheSame() {
        var rng = SeededRandom(seed: 0x5EED_2026_1204)
        let base = Array(request.utf8)
        // Bytes that matter to HTTP's grammar, and some that do not.
        let alphabet = Array(" \t\r\n:;,/?#%\"\u{0}\u{7F}aZ09-_~".utf8) + [0x80, 0xC3, 0xFF]
        var taken = 0
        for _ in 0..<20_000 {
            var m = base
            for _ in 0...(rng.next() % 4) {
                let at = Int(rng.next() % UInt64(m.count))
                let byte = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                switch rng.next() % 3 {
                case 0: m[at] = byte
                case 1: m.insert(byte, at: at)
                default: m.remove(at: at)
                }
            }
            guard let scanned = scan(m) else { continue }
            taken += 1
            guard let parsed = llhttp(m) else {
                Issue.record("taken, but llhttp refuses: \(String(decoding: m, as: UTF8.self).debugDescription)")
                continue
            }
            if !same(scanned.head, parsed) {
                Issue.record("read differently: \(String(decoding: m, as: UTF8.self).debugDescription)\n\(scanned.head)\n\(parsed)")
            }
        }
        // The comparison must have had something to compare.
        #expect(taken > 1_000, "only \(taken) mutants were taken")
    }
}
