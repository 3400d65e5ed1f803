import NIOCore
import NIOHTTP1
import NIOWebSocket
import SocketIOWire

/// What the frame reader hands on; implemented by `WebSocketTransport` (and by tests).
protocol ServerFrameSink: AnyObject {
    /// The frame codec is in place: the first moment a frame can be written.
    func frameReaderDidUpgrade()
    /// One whole text message, as a slice of the read buffer when it came in one frame.
    func frameReaderDidReceive(_ text: ByteBuffer)
    func frameReaderDidFail(_ reason: ClientCloseReason)
}

/// The receive side of the client's WebSocket under NIO: a thin handler over `ServerFrameStream`,
/// reading server frames straight out of each read buffer — every frame the read holds is
/// handed on in one pass, as a slice, with no `WebSocketFrame` value, no boxed `NIOAny` and no
/// pipeline hop per frame (NIO's `ByteToMessageHandler(WebSocketFrameDecoder)` cost one of each
/// per delivered event on the load generator's hottest path). Pings are answered from here.
final class ServerFrameReader: ChannelInboundHandler, ServerFrameStreamSink {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let sink: ServerFrameSink
    private var stream: ServerFrameStream
    /// The context of the read being fed, for the pong a ping in it needs.
    private var context: ChannelHandlerContext?

    init(sink: ServerFrameSink, maxFrameSize: Int) {
        self.sink = sink
        self.stream = ServerFrameStream(maxFrameSize: maxFrameSize)
    }

    func handlerAdded(context: ChannelHandlerContext) { sink.frameReaderDidUpgrade() }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        self.context = context
        stream.feed(&buffer, to: self, allocator: context.channel.allocator)
        self.context = nil
    }

    func frameStreamDidReceive(_ text: ByteBuffer) { sink.frameReaderDidReceive(text) }
    func frameStreamDidFail(_ reason: ClientCloseReason) { sink.frameReaderDidFail(reason) }
    func frameStreamDidPing(_ payload: ByteBuffer) {
        guard let context else { return }
        let pong = payload.withUnsafeReadableBytes { WebSocketFraming.clientFrame(opcode: 0xA, payload: $0, allocator: context.channel.allocator) }
        context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        stream.fail("WebSocket: \(error)", to: self)
    }
}

/// The WebSocket upgrade with the reader above in place of NIO's frame decoder and encoder: the
/// request headers and the `Sec-WebSocket-Accept` check are NIO's own upgrader's; only the
/// pipeline it builds differs — the reader alone. What the client sends is framed and masked
/// before it is written (`WebSocketFraming.clientFrame`), so no outbound handler sits in the
/// pipeline and each read's `read()` goes straight from the tail to the channel.
struct FrameReaderUpgrader: NIOHTTPClientProtocolUpgrader {
    private let handshake: NIOWebSocketClientUpgrader
    private let install: (ChannelHandlerContext) throws -> Void

    /// `install` runs on the channel's loop once the 101 is accepted; it adds the reader.
    init(maxFrameSize: Int, install: @escaping (ChannelHandlerContext) throws -> Void) {
        handshake = NIOWebSocketClientUpgrader(maxFrameSize: maxFrameSize, automaticErrorHandling: false) { ch, _ in
            ch.eventLoop.makeSucceededVoidFuture()
        }
        self.install = install
    }

    var supportedProtocol: String { handshake.supportedProtocol }
    var requiredUpgradeHeaders: [String] { handshake.requiredUpgradeHeaders }
    func addCustom(upgradeRequestHeaders: inout HTTPHeaders) { handshake.addCustom(upgradeRequestHeaders: &upgradeRequestHeaders) }
    func shouldAllowUpgrade(upgradeResponse: HTTPResponseHead) -> Bool { handshake.shouldAllowUpgrade(upgradeResponse: upgradeResponse) }

    func upgrade(context: ChannelHandlerContext, upgradeResponse: HTTPResponseHead) -> EventLoopFuture<Void> {
        context.eventLoop.makeCompletedFuture { try install(context) }
    }
}

/// Channel handlers live on their channel's loop only, as NIO's own do.
@available(*, unavailable)
extension ServerFrameReader: Sendable {}
