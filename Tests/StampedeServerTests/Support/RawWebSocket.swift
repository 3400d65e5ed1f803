import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import SocketIOWire

/// A raw WebSocket client (NIO's typed client upgrader): tests send and
/// read Engine.IO packets frame by frame.
final class RawWebSocket: @unchecked Sendable {
    enum Frame: Sendable, Equatable {
        case text(String)
        case binary([UInt8])
        case close(UInt16?)
    }

    private final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = WebSocketFrame
        let inbox: AsyncInbox<Frame>
        init(_ inbox: AsyncInbox<Frame>) { self.inbox = inbox }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let f = unwrapInboundIn(data)
            var d = f.unmaskedData
            switch f.opcode {
            case .text: inbox.push(.text(String(buffer: d)))
            case .binary: inbox.push(.binary(d.readBytes(length: d.readableBytes) ?? []))
            case .connectionClose: inbox.push(.close(d.readInteger(as: UInt16.self)))
            default: break
            }
        }
        func channelInactive(context: ChannelHandlerContext) { inbox.finish() }
        func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
    }

    enum Upgrade: Sendable {
        case upgraded(Channel)
        case refused
    }

    let channel: Channel
    let inbox: AsyncInbox<Frame>

    private init(channel: Channel, inbox: AsyncInbox<Frame>) {
        self.channel = channel
        self.inbox = inbox
    }

    /// Opens `/socket.io/?EIO=4&transport=websocket` (plus `sid`/extra query).
    static func connect(port: Int, group: EventLoopGroup, sid: String? = nil, query: String = "",
                        headers: [(String, String)] = []) async throws -> RawWebSocket {
        var path = "/socket.io/?EIO=4&transport=websocket"
        if let sid { path += "&sid=\(sid)" }
        if !query.isEmpty { path += "&" + query }
        let inbox = AsyncInbox<Frame>()
        let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: 1 << 24) { channel, _ in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(Collector(inbox))
                return Upgrade.upgraded(channel)
            }
        }
        var h = HTTPHeaders(headers)
        h.add(name: "Host", value: "127.0.0.1:\(port)")
        h.add(name: "Content-Length", value: "0")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: h)
        let config = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
            upgradeRequestHead: head, upgraders: [upgrader],
            notUpgradingCompletionHandler: { ch in ch.eventLoop.makeSucceededFuture(.refused) })
        let result = try await ClientBootstrap(group: group)
            .connect(host: "127.0.0.1", port: port) { ch in
                ch.eventLoop.makeCompletedFuture {
                    // The open packet may share a TCP read with the 101: keep those bytes.
                    var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: config)
                    pipeline.leftOverBytesStrategy = .forwardBytes
                    return try ch.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
                }
            }
        guard case .upgraded(let ch) = try await result.get() else { throw RawHTTPError.notUpgraded }
        return RawWebSocket(channel: ch, inbox: inbox)
    }

    func sendText(_ text: String) async throws {
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: ByteBuffer(string: text))
        try await channel.writeAndFlush(frame)
    }

    func sendBinary(_ bytes: [UInt8]) async throws {
        let frame = WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(), data: ByteBuffer(bytes: bytes))
        try await channel.writeAndFlush(frame)
    }

    func send(_ packet: EngineIOPacket) async throws {
        if case .binary(let b) = packet.payload { try await sendBinary(b) } else { try await sendText(packet.textFrame) }
    }

    func send(_ packet: SocketIOPacket) async throws { try await send(packet.engineIOPacket) }

    /// The next frame, or nil when closed / nothing within `timeout`.
    func next(timeout: Double = 5) async -> Frame? { await inbox.next(timeout: timeout) }

    /// The next text frame, skipping heartbeat pings (answered with pongs
    /// when `answerPings`).
    func nextText(timeout: Double = 5, answerPings: Bool = true) async throws -> String? {
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

    /// True when the server closed the TCP connection within `timeout`.
    func waitClosed(timeout: Double = 5) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        // The close may race the client's upgrade (no channelInactive for the
        // collector): the channel's own state says it too.
        while !inbox.isFinished, channel.isActive, deadline.timeIntervalSinceNow > 0 {
            _ = await inbox.next(timeout: min(max(deadline.timeIntervalSinceNow, 0.01), 0.1))
        }
        return inbox.isFinished || !channel.isActive
    }

    func setReading(_ on: Bool) {
        channel.setOption(ChannelOptions.autoRead, value: on).whenComplete { _ in }
    }

    func close() { channel.close(promise: nil) }
}

import Testing

extension RawWebSocket {
    /// Sends `text` and asserts the server closes the connection for it.
    func assertClosed(after text: String, timeout: Double = 2, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await sendText(text)
        let closed = await waitClosed(timeout: timeout)
        #expect(closed, "still open after \(text)", sourceLocation: sourceLocation)
    }
}
