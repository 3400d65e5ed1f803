import Foundation
import NIOCore
import NIOPosix
import StampedeConformance

/// One TCP connection speaking HTTP/1.1 by hand, so tests control every byte
/// (partial bodies, held long-polls, refused upgrades) and see every byte of
/// the answer.
package final class RawHTTPConnection: @unchecked Sendable {
    package struct Response: Sendable {
        package var status: Int
        package var headers: [String: String]
        package var body: [UInt8]
        package var text: String { String(decoding: body, as: UTF8.self) }
        package var contentType: String? { headers["content-type"] }
    }

    private final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let inbox: AsyncInbox<[UInt8]>
        init(_ inbox: AsyncInbox<[UInt8]>) { self.inbox = inbox }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var b = unwrapInboundIn(data)
            inbox.push(b.readBytes(length: b.readableBytes) ?? [])
        }
        func channelInactive(context: ChannelHandlerContext) { inbox.finish() }
        func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
    }

    package let channel: Channel
    private var pending: [UInt8] = []
    /// `host:port`, the Host header of every request.
    private let hostHeader: String

    private init(channel: Channel, hostHeader: String) {
        self.channel = channel
        self.hostHeader = hostHeader
    }

    package static func connect(port: Int, group: EventLoopGroup, host: String = "127.0.0.1") async throws -> RawHTTPConnection {
        let inbox = AsyncInbox<[UInt8]>()
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { ch in
                ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(Collector(inbox)) }
            }
            .connect(host: host, port: port).get()
        let c = RawHTTPConnection(channel: channel, hostHeader: "\(host):\(port)")
        c.adopt(inbox)
        return c
    }

    private var source: AsyncInbox<[UInt8]>!
    private func adopt(_ i: AsyncInbox<[UInt8]>) { source = i }

    package func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    package func send(_ text: String) async throws { try await send(Array(text.utf8)) }

    /// Sends a request head (+ body). `contentLength` lets a test announce
    /// more body than it sends.
    package func sendRequest(_ method: String, _ path: String, headers: [(String, String)] = [], body: String? = nil,
                     contentLength: Int? = nil) async throws {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        if let body { head += "Content-Length: \(contentLength ?? body.utf8.count)\r\n" }
        head += "\r\n"
        try await send(head + (body ?? ""))
    }

    package func request(_ method: String, _ path: String, headers: [(String, String)] = [], body: String? = nil,
                 timeout: Double = 5) async throws -> Response {
        try await sendRequest(method, path, headers: headers, body: body)
        guard let r = try await readResponse(timeout: timeout) else { throw RawHTTPError.noResponse }
        return r
    }

    /// The next whole response; nil if the connection closed or nothing came
    /// within `timeout`.
    package func readResponse(timeout: Double = 5) async throws -> Response? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let (r, used) = try Self.parse(pending) {
                pending.removeFirst(used)
                return r
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0, let chunk = await source.next(timeout: left) else { return nil }
            pending += chunk
        }
    }

    /// True when the server closed the connection within `timeout`.
    package func waitClosed(timeout: Double = 5) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while deadline.timeIntervalSinceNow > 0 {
            if source.isFinished { return true }
            if let chunk = await source.next(timeout: deadline.timeIntervalSinceNow) { pending += chunk } else { return source.isFinished }
        }
        return source.isFinished
    }

    package func close() { channel.close(promise: nil) }

    /// Every byte until the server closes (or `timeout`), including what an
    /// earlier read left; and whether it closed.
    package func collect(timeout: Double = 5) async -> (bytes: [UInt8], closed: Bool) {
        let closed = await waitClosed(timeout: timeout)
        defer { pending = [] }
        return (pending, closed)
    }

    /// Reads until `bytes` holds the end of a response head (a 101 has no body).
    package func readHead(timeout: Double = 5) async -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let end = (0..<max(0, pending.count - 3)).first(where: { pending[$0..<$0 + 4].elementsEqual([13, 10, 13, 10]) }) {
                let head = String(decoding: pending[0..<end], as: UTF8.self)
                pending.removeFirst(end + 4)
                return head
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0, let chunk = await source.next(timeout: left) else { return nil }
            pending += chunk
        }
    }

    /// The bytes of the next single read from the socket (what the server
    /// sent in one write arrives in one read on loopback), after whatever an
    /// earlier call left; nil when nothing came within `timeout`.
    package func nextRead(timeout: Double = 5) async -> [UInt8]? {
        if !pending.isEmpty { defer { pending = [] }; return pending }
        return await source.next(timeout: timeout)
    }

    package func setReading(_ on: Bool) {
        channel.setOption(ChannelOptions.autoRead, value: on).whenComplete { _ in }
    }

    package static func parse(_ b: [UInt8]) throws -> (Response, Int)? {
        let sep: [UInt8] = [13, 10, 13, 10]
        guard b.count >= 4, let end = (0...(b.count - 4)).first(where: { Array(b[$0..<$0 + 4]) == sep }) else { return nil }
        let headText = String(decoding: b[0..<end], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw RawHTTPError.malformed(headText) }
        var headers: [String: String] = [:]
        for l in lines {
            guard let colon = l.firstIndex(of: ":") else { continue }
            headers[l[..<colon].lowercased()] = l[l.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let start = end + 4
        guard b.count >= start + length else { return nil }
        return (Response(status: status, headers: headers, body: Array(b[start..<start + length])), start + length)
    }
}

package enum RawHTTPError: Error { case noResponse, malformed(String), notUpgraded }
