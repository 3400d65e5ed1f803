import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import SocketIOWire
import StampedeClient

/// A WebSocket that speaks whatever it is told: the conformance probes and the
/// server tests send malformed, out-of-order and rule-breaking Engine.IO and
/// Socket.IO packets on purpose, which no well-behaved client (ours included)
/// would send. NIO does the handshake and the RFC 6455 framing (its typed client
/// upgrader); the packets inside the frames are the caller's. Frames arrive in an
/// `AsyncInbox`, so a reader waits for the frame itself, never on a poll.
/// The one raw client of the probes and the tests (StampedeTestSupport).
public final class RawWebSocket: Sendable {
    public enum Frame: Sendable, Equatable {
        case text(String)
        case binary([UInt8])
        /// A close frame (with its status code, if any), or the connection gone.
        case close(UInt16?)
    }

    public let channel: Channel
    public let inbox: AsyncInbox<Frame>

    private init(channel: Channel, inbox: AsyncInbox<Frame>) {
        self.channel = channel
        self.inbox = inbox
    }

    /// Opens `/socket.io/?EIO=4&transport=websocket` (plus `sid`/extra query) on a loopback port.
    /// `receiveBuffer` sets the socket's SO_RCVBUF before it connects (a reader that takes
    /// little at a time).
    public static func connect(port: Int, group: EventLoopGroup, sid: String? = nil, query: String = "",
                               headers: [(String, String)] = [], receiveBuffer: Int? = nil) async throws -> RawWebSocket {
        var path = "/socket.io/?EIO=4&transport=websocket"
        if let sid { path += "&sid=\(sid)" }
        if !query.isEmpty { path += "&" + query }
        return try await connect(host: "127.0.0.1", port: port, target: path,
                                 headers: headers + [("Content-Length", "0")], group: group, timeout: .seconds(10),
                                 receiveBuffer: receiveBuffer)
    }

    /// Connects and upgrades; throws when the server refuses the upgrade
    /// (with the HTTP status it answered) or does not answer within `timeout`.
    public static func connect(_ endpoint: ServerEndpoint, target: String, headers: [(String, String)] = [],
                               group: EventLoopGroup, timeout: TimeAmount = .seconds(5)) async throws -> RawWebSocket {
        try await connect(host: endpoint.host, port: endpoint.port, target: target, headers: headers, group: group, timeout: timeout)
    }

    private enum Upgrade: Sendable {
        case upgraded(Channel)
        case refused(EventLoopFuture<Int?>)
    }

    private static func connect(host: String, port: Int, target: String, headers: [(String, String)],
                                group: EventLoopGroup, timeout: TimeAmount, receiveBuffer: Int? = nil) async throws -> RawWebSocket {
        let inbox = AsyncInbox<Frame>()
        let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: 1 << 24) { channel, _ in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(FrameCollector(inbox))
                return Upgrade.upgraded(channel)
            }
        }
        var h = HTTPHeaders(headers)
        h.add(name: "Host", value: "\(host):\(port)")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target, headers: h)
        let config = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
            upgradeRequestHead: head, upgraders: [upgrader],
            notUpgradingCompletionHandler: { ch in
                ch.eventLoop.makeCompletedFuture {
                    let catcher = RefusalCatcher(ch.eventLoop.makePromise(of: Int?.self))
                    try ch.pipeline.syncOperations.addHandler(catcher)
                    return Upgrade.refused(catcher.status.futureResult)
                }
            })
        var bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
        if let receiveBuffer {
            bootstrap = bootstrap.channelOption(ChannelOptions.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBuffer))
        }
        let (tcp, result) = try await bootstrap
            .connect(host: host, port: port) { ch in
                ch.eventLoop.makeCompletedFuture {
                    // The open packet may share a TCP read with the 101: keep those bytes.
                    var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: config)
                    pipeline.leftOverBytesStrategy = .forwardBytes
                    return (ch, try ch.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline))
                }
            }
        let timedOut = NIOLockedValueBox(false)
        let timer = tcp.eventLoop.scheduleTask(in: timeout) {
            timedOut.withLockedValue { $0 = true }
            tcp.close(promise: nil)
        }
        defer { timer.cancel() }
        let upgrade: Upgrade
        do {
            upgrade = try await result.get()
        } catch {
            // The connection closed (or the timer closed it) before any answer.
            throw timedOut.withLockedValue { $0 } ? RawProbeError.timeout : RawProbeError.upgradeRefused(status: nil)
        }
        switch upgrade {
        case .upgraded(let ch):
            // A close that races the upgrade reaches no collector: the channel's own end finishes the inbox.
            ch.closeFuture.whenComplete { _ in inbox.finish() }
            return RawWebSocket(channel: ch, inbox: inbox)
        case .refused(let status):
            let code = try? await status.get()
            tcp.close(promise: nil)
            throw RawProbeError.upgradeRefused(status: code ?? nil)
        }
    }

    // MARK: Sending

    public func sendText(_ text: String) async throws {
        try await channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: ByteBuffer(string: text)))
    }

    public func sendBinary(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(), data: ByteBuffer(bytes: bytes)))
    }

    public func send(_ packet: EngineIOPacket) async throws {
        if case .binary(let b) = packet.payload { try await sendBinary(b) } else { try await sendText(packet.textFrame) }
    }

    public func send(_ packet: SocketIOPacket) async throws { try await send(packet.engineIOPacket) }

    /// A text frame, not waited for: a probe that breaks a rule sends and then
    /// watches what the server does, and a write to a connection the server
    /// already closed is part of what it watches.
    public func send(_ text: String) {
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: ByteBuffer(string: text)), promise: nil)
    }

    /// A binary frame, not waited for (as `send(_:)`).
    public func send(binary bytes: [UInt8]) {
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(), data: ByteBuffer(bytes: bytes)), promise: nil)
    }

    // MARK: Receiving

    /// The next frame, or nil when closed / nothing within `timeout` seconds.
    public func next(timeout: Double) async -> Frame? { await inbox.next(timeout: timeout) }

    /// The next frame, `.close` once the connection is gone, nil on timeout.
    public func next(within timeout: Duration = .seconds(3)) async -> Frame? {
        if let f = await inbox.next(within: timeout) { return f }
        return inbox.isFinished || !channel.isActive ? .close(nil) : nil
    }

    /// The next text frame that satisfies `match`, skipping others.
    public func next(within timeout: Duration = .seconds(3), where match: (String) -> Bool) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let f = await next(within: deadline - ContinuousClock.now) else { return nil }
            switch f {
            case .text(let t) where match(t): return t
            case .close: return nil
            default: continue
            }
        }
        return nil
    }

    /// The next text frame, skipping heartbeat pings (answered with pongs when `answerPings`).
    public func nextText(timeout: Double = 5, answerPings: Bool = true) async throws -> String? {
        while let f = await inbox.next(timeout: timeout) {
            guard case .text(let t) = f else { continue }
            if t == "2" {
                if answerPings { try await sendText("3") }
                continue
            }
            return t
        }
        return nil
    }

    /// True when the server sent a close frame or closed the connection within `timeout`.
    public func closes(within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let f = await next(within: deadline - ContinuousClock.now) else { return false }
            if case .close = f { return true }
        }
        return false
    }

    /// True when the server closed the TCP connection within `timeout` seconds (a close
    /// frame alone is not enough). The inbox finishes when the channel closes, so this
    /// waits on that, reading past any frames still arriving.
    public func waitClosed(timeout: Double = 5) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        while !inbox.isFinished, channel.isActive, ContinuousClock.now < deadline {
            _ = await inbox.next(within: deadline - ContinuousClock.now)
        }
        return inbox.isFinished || !channel.isActive
    }

    public var isOpen: Bool { channel.isActive }

    public func setReading(_ on: Bool) {
        channel.setOption(ChannelOptions.autoRead, value: on).whenComplete { _ in }
    }

    public func close() { channel.close(promise: nil) }
}

public enum RawProbeError: Error, CustomStringConvertible, Equatable {
    case upgradeRefused(status: Int?)
    case timeout

    public var description: String {
        switch self {
        case .upgradeRefused(let s): return "WebSocket upgrade refused" + (s.map { " with HTTP \($0)" } ?? "")
        case .timeout: return "timed out"
        }
    }
}

/// Frames off NIO's decoder into the inbox; WebSocket pings answered, as a client must.
private final class FrameCollector: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame
    let inbox: AsyncInbox<RawWebSocket.Frame>
    init(_ inbox: AsyncInbox<RawWebSocket.Frame>) { self.inbox = inbox }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let f = unwrapInboundIn(data)
        var d = f.unmaskedData
        switch f.opcode {
        case .text: inbox.push(.text(String(buffer: d)))
        case .binary: inbox.push(.binary(d.readBytes(length: d.readableBytes) ?? []))
        case .connectionClose: inbox.push(.close(d.readInteger(as: UInt16.self)))
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: d)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        default: break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
}

/// After a refused upgrade: the status line of the answer the server gave instead.
private final class RefusalCatcher: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    let status: EventLoopPromise<Int?>
    private var answered = false
    init(_ status: EventLoopPromise<Int?>) { self.status = status }

    private func answer(_ code: Int?) {
        guard !answered else { return }
        answered = true
        status.succeed(code)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) { answer(Int(head.status.code)) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { answer(nil) }
    func channelInactive(context: ChannelHandlerContext) {
        answer(nil)
        context.fireChannelInactive()
    }
}

/// Channel handlers live on their channel's loop only, as NIO's own do.
@available(*, unavailable)
extension FrameCollector: Sendable {}
@available(*, unavailable)
extension RefusalCatcher: Sendable {}
