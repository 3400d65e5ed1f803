import NIOCore
import SocketIOWire

/// The client side of the RFC 6455 opening handshake as bytes, with no I/O: the request to
/// write and the check of the server's answer. NIO's `NIOWebSocketClientUpgrader` does this for
/// channels; the reactor's transport has no pipeline, so it writes and reads the HTTP itself.
struct ClientUpgradeHandshake {
    /// A 101 response head longer than this is refused rather than buffered on.
    static let maxResponseHead = 16 * 1024

    let key: String

    /// `key`: 16 random bytes in base64 (RFC 6455 §4.1); random unless a test fixes it.
    init(key: String? = nil) {
        if let key {
            self.key = key
        } else {
            var g = SystemRandomNumberGenerator()
            let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }
            self.key = Base64.encode(bytes)
        }
    }

    /// The GET that asks for the upgrade; `headers` are the caller's own (auth, cookies, …).
    func request(target: String, host: String, headers: [(String, String)]) -> String {
        var s = "GET \(target) HTTP/1.1\r\nHost: \(host)\r\n"
        for (k, v) in headers { s += "\(k): \(v)\r\n" }
        s += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n"
        return s
    }

    var expectedAccept: String { WebSocketFraming.acceptValue(key: key) }

    enum Answer: Equatable {
        /// The head is not complete yet.
        case needMore
        /// Upgraded; the bytes after the head (the start of the first frames) stay in the buffer.
        case upgraded
        case refused(String)
    }

    /// Reads the response head off the front of `buffer` once it is whole.
    func answer(_ buffer: inout ByteBuffer) -> Answer {
        let view = buffer.readableBytesView
        guard let end = Self.headEnd(view) else {
            return view.count > Self.maxResponseHead ? .refused("WebSocket upgrade response head over \(Self.maxResponseHead) bytes") : .needMore
        }
        let head = String(decoding: view[view.startIndex..<end], as: UTF8.self)
        buffer.moveReaderIndex(forwardBy: end - view.startIndex + 4)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let status = lines.isEmpty ? "" : String(lines.removeFirst())
        let parts = status.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1] == "101" else {
            return .refused("WebSocket upgrade refused: \(status.prefix(80))")
        }
        var upgrade = false, connection = false, accept: Substring?
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces
            switch name {
            case "upgrade": upgrade = value.lowercased() == "websocket"
            case "connection": connection = value.lowercased().split(separator: ",").contains { $0.trimmingSpaces == "upgrade" }
            case "sec-websocket-accept": accept = value
            default: break
            }
        }
        guard upgrade, connection else { return .refused("WebSocket upgrade refused: no Upgrade/Connection headers in the 101") }
        guard accept.map(String.init) == expectedAccept else { return .refused("WebSocket upgrade refused: wrong Sec-WebSocket-Accept") }
        return .upgraded
    }

    /// The index of the `\r\n\r\n` that ends the head, if it has arrived.
    private static func headEnd(_ view: ByteBufferView) -> ByteBufferView.Index? {
        var i = view.startIndex
        let last = view.endIndex - 3
        while i < last {
            if view[i] == 13 && view[i + 1] == 10 && view[i + 2] == 13 && view[i + 3] == 10 { return i }
            i += 1
        }
        return nil
    }
}

private extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }
}
