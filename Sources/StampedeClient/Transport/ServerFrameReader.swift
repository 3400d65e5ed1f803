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

/// The receive side of the client's WebSocket, reading server frames straight out of each read
/// buffer: every frame the read holds is handed on in one pass, as a slice, with no
/// `WebSocketFrame` value, no boxed `NIOAny` and no pipeline hop per frame (NIO's
/// `ByteToMessageHandler(WebSocketFrameDecoder)` cost one of each per delivered event on the
/// load generator's hottest path). Server frames are unmasked (RFC 6455 §5.1), so a payload is
/// the bytes as they arrived. Pings are answered, a close frame ends the connection; a masked
/// frame, reserved bits, an unknown opcode or a frame over the size limit is a protocol error.
final class ServerFrameReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let sink: ServerFrameSink
    private let maxFrameSize: Int
    /// The start of a frame whose rest has not arrived yet; nil almost always.
    private var partial: ByteBuffer?
    /// A fragmented text message being assembled; nil almost always.
    private var fragments: ByteBuffer?
    private var failed = false

    init(sink: ServerFrameSink, maxFrameSize: Int) {
        self.sink = sink
        self.maxFrameSize = maxFrameSize
    }

    func handlerAdded(context: ChannelHandlerContext) { sink.frameReaderDidUpgrade() }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if var head = partial {
            partial = nil
            head.writeBuffer(&buffer)
            buffer = head
        }
        while !failed {
            switch Self.nextFrame(&buffer, maxFrameSize: maxFrameSize) {
            case .frame(let fin, let opcode, let payload): handle(fin: fin, opcode: opcode, payload: payload, context: context)
            case .needMore:
                if buffer.readableBytes > 0 { partial = buffer }
                return
            case .invalid(let why): fail("WebSocket: \(why)")
            }
        }
    }

    enum Parsed: Equatable {
        case frame(fin: Bool, opcode: UInt8, payload: ByteBuffer)
        case needMore
        case invalid(String)
    }

    /// One frame off the front of `buffer`, or what stops there; consumes only a whole frame.
    static func nextFrame(_ buffer: inout ByteBuffer, maxFrameSize: Int) -> Parsed {
        guard let b0: UInt8 = buffer.getInteger(at: buffer.readerIndex),
              let b1: UInt8 = buffer.getInteger(at: buffer.readerIndex + 1) else { return .needMore }
        guard b0 & 0x70 == 0 else { return .invalid("reserved bits set") }
        guard b1 & 0x80 == 0 else { return .invalid("a server frame must not be masked") }
        var header = 2
        var length = Int(b1 & 0x7F)
        if length == 126 {
            guard let l: UInt16 = buffer.getInteger(at: buffer.readerIndex + 2) else { return .needMore }
            length = Int(l)
            header = 4
        } else if length == 127 {
            guard let l: UInt64 = buffer.getInteger(at: buffer.readerIndex + 2) else { return .needMore }
            guard l <= UInt64(maxFrameSize) else { return .invalid("frame of \(l) bytes over the \(maxFrameSize)-byte limit") }
            length = Int(l)
            header = 10
        }
        guard length <= maxFrameSize else { return .invalid("frame of \(length) bytes over the \(maxFrameSize)-byte limit") }
        guard buffer.readableBytes >= header + length else { return .needMore }
        buffer.moveReaderIndex(forwardBy: header)
        let payload = buffer.readSlice(length: length)!
        return .frame(fin: b0 & 0x80 != 0, opcode: b0 & 0x0F, payload: payload)
    }

    private func handle(fin: Bool, opcode: UInt8, payload: ByteBuffer, context: ChannelHandlerContext) {
        switch opcode {
        case 0x1:  // text
            guard fragments == nil else { return fail("WebSocket: a new message inside a fragmented one") }
            if fin { sink.frameReaderDidReceive(payload) } else { fragments = payload }
        case 0x0:  // continuation
            guard var f = fragments else { return fail("WebSocket: a continuation with no message to continue") }
            var more = payload
            f.writeBuffer(&more)
            guard f.readableBytes <= maxFrameSize else { return fail("WebSocket: message over the \(maxFrameSize)-byte limit") }
            if fin {
                fragments = nil
                sink.frameReaderDidReceive(f)
            } else {
                fragments = f
            }
        case 0x2:  // binary: attachments are outside the contract
            break
        case 0x8:  // close
            failed = true
            sink.frameReaderDidFail(.closedByServer)
        case 0x9:  // ping
            let pong = payload.withUnsafeReadableBytes { WebSocketFraming.clientFrame(opcode: 0xA, payload: $0, allocator: context.channel.allocator) }
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case 0xA:  // pong
            break
        default:
            fail("WebSocket: unknown opcode \(opcode)")
        }
    }

    private func fail(_ reason: String) {
        failed = true
        partial = nil
        sink.frameReaderDidFail(.error(reason))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard !failed else { return }
        fail("WebSocket: \(error)")
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
