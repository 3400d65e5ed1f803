import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import StampedeClient

/// A WebSocket that speaks whatever it is told: the conformance probes send
/// malformed, out-of-order and rule-breaking packets on purpose, which no
/// well-behaved client (ours included) would send. The handshake and the
/// framing are done by hand on a plain TCP channel so nothing between the
/// probe and the server second-guesses it.
public final class RawWebSocket: @unchecked Sendable {
    public enum Frame: Equatable, Sendable {
        case text(String)
        case binary([UInt8])
        case close
    }

    private let channel: Channel
    private let inbox: FrameInbox

    /// Connects and upgrades; throws when the server refuses the upgrade
    /// (with the HTTP status it answered).
    public static func connect(_ endpoint: ServerEndpoint, target: String, headers: [(String, String)] = [],
                               group: EventLoopGroup, timeout: TimeAmount = .seconds(5)) async throws -> RawWebSocket {
        let inbox = FrameInbox()
        let loop = group.next()
        let upgraded = loop.makePromise(of: Void.self)
        var request = "GET \(target) HTTP/1.1\r\nHost: \(endpoint.host):\(endpoint.port)\r\nUpgrade: websocket\r\n"
        request += "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        for (k, v) in headers { request += "\(k): \(v)\r\n" }
        request += "\r\n"
        let decoder = RawFrameDecoder(inbox: inbox, upgraded: upgraded)
        let channel = try await ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { ch in
                ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(decoder) }
            }
            .connect(host: endpoint.host, port: endpoint.port).get()
        channel.closeFuture.whenComplete { _ in
            inbox.push(.close)
            upgraded.fail(RawProbeError.upgradeRefused(status: decoder.status))
        }
        try await channel.writeAndFlush(ByteBuffer(string: request))
        let timer = loop.scheduleTask(in: timeout) { upgraded.fail(RawProbeError.timeout) }
        defer { timer.cancel() }
        try await upgraded.futureResult.get()
        return RawWebSocket(channel: channel, inbox: inbox)
    }

    private init(channel: Channel, inbox: FrameInbox) {
        self.channel = channel
        self.inbox = inbox
    }

    public func send(_ text: String) { write(opcode: 0x1, Array(text.utf8)) }
    public func sendBinary(_ bytes: [UInt8]) { write(opcode: 0x2, bytes) }

    /// A masked client frame (RFC 6455 §5.3).
    private func write(opcode: UInt8, _ payload: [UInt8]) {
        var buf = channel.allocator.buffer(capacity: payload.count + 14)
        buf.writeInteger(UInt8(0x80 | opcode))
        let n = payload.count
        if n < 126 {
            buf.writeInteger(UInt8(0x80 | n))
        } else if n <= 0xFFFF {
            buf.writeInteger(UInt8(0x80 | 126))
            buf.writeInteger(UInt16(n))
        } else {
            buf.writeInteger(UInt8(0x80 | 127))
            buf.writeInteger(UInt64(n))
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        buf.writeBytes(mask)
        buf.writeBytes(payload.enumerated().map { $0.element ^ mask[$0.offset & 3] })
        channel.writeAndFlush(buf, promise: nil)
    }

    /// The next frame, `.close` once the connection is gone, nil on timeout.
    public func next(within timeout: Duration = .seconds(3)) async -> Frame? {
        await inbox.next(within: timeout)
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

    /// True when the server closed the connection within `timeout`.
    public func closes(within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let f = await next(within: deadline - ContinuousClock.now) else { return false }
            if f == .close { return true }
        }
        return false
    }

    public var isOpen: Bool { channel.isActive }

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

/// Frames received, handed to one waiting reader at a time.
final class FrameInbox: Sendable {
    private let state = NIOLockedValueBox<[RawWebSocket.Frame]>([])

    func push(_ f: RawWebSocket.Frame) {
        state.withLockedValue { s in
            guard s.last != .close else { return }
            s.append(f)
        }
    }

    func next(within timeout: Duration) async -> RawWebSocket.Frame? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let f: RawWebSocket.Frame? = state.withLockedValue { s in
                guard let first = s.first else { return nil }
                if first != .close { s.removeFirst() }  // .close stays for later readers
                return first
            }
            if let f { return f }
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// Parses the `101` response, then unmasked server frames; answers pings.
private final class RawFrameDecoder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let inbox: FrameInbox
    let upgraded: EventLoopPromise<Void>
    private var buffer = ByteBuffer()
    private var handshakeDone = false
    private(set) var status: Int?

    init(inbox: FrameInbox, upgraded: EventLoopPromise<Void>) {
        self.inbox = inbox
        self.upgraded = upgraded
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        if !handshakeDone {
            let view = buffer.readableBytesView
            guard let end = view.firstRange(of: [13, 10, 13, 10]) else { return }
            let head = String(decoding: view[view.startIndex..<end.lowerBound], as: UTF8.self)
            buffer.moveReaderIndex(to: end.upperBound)
            status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) }
            guard status == 101 else {
                upgraded.fail(RawProbeError.upgradeRefused(status: status))
                context.close(promise: nil)
                return
            }
            handshakeDone = true
            upgraded.succeed(())
        }
        while let (fin, opcode, payload) = nextFrame() {
            _ = fin
            switch opcode {
            case 0x1: inbox.push(.text(String(decoding: payload, as: UTF8.self)))
            case 0x2: inbox.push(.binary(payload))
            case 0x8:
                inbox.push(.close)
                context.close(promise: nil)
            case 0x9:
                var pong = context.channel.allocator.buffer(capacity: payload.count + 6)
                pong.writeBytes([0x8A, UInt8(0x80 | min(payload.count, 125)), 0, 0, 0, 0])
                pong.writeBytes(payload.prefix(125))
                context.writeAndFlush(NIOAny(pong), promise: nil)
            default: break
            }
        }
        buffer.discardReadBytes()
    }

    private func nextFrame() -> (Bool, UInt8, [UInt8])? {
        guard buffer.readableBytes >= 2, let b0 = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
              let b1 = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self) else { return nil }
        var offset = 2
        var length = Int(b1 & 0x7F)
        if length == 126 {
            guard let l = buffer.getInteger(at: buffer.readerIndex + 2, as: UInt16.self) else { return nil }
            length = Int(l)
            offset = 4
        } else if length == 127 {
            guard let l = buffer.getInteger(at: buffer.readerIndex + 2, as: UInt64.self) else { return nil }
            length = Int(l)
            offset = 10
        }
        guard buffer.readableBytes >= offset + length else { return nil }
        buffer.moveReaderIndex(forwardBy: offset)
        let payload = buffer.readBytes(length: length) ?? []
        return (b0 & 0x80 != 0, b0 & 0x0F, payload)
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.push(.close)
        context.fireChannelInactive()
    }
}

/// Channel handlers live on their channel's loop only, as NIO's own do.
@available(*, unavailable)
extension RawFrameDecoder: Sendable {}
