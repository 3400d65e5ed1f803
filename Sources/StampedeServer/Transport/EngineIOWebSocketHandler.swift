import NIOCore
import NIOWebSocket
import SocketIOWire

/// The read side of one server WebSocket: one handler per connection, no
/// Task. Either the session's own transport (opened with
/// `transport=websocket` and no sid) or an upgrade probe for a polling
/// session. Every message carries one Engine.IO packet. It applies RFC 6455
/// §5 itself — masked client frames, no RSV bits (no extension is
/// negotiated), no reserved opcodes, valid UTF-8 in text — and reassembles
/// fragmented messages up to `maxPayload`; a violation fails the
/// connection with the RFC's close code.
final class EngineIOWebSocketHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame

    enum Role {
        case newSession(EngineIOServer, EngineIOServer.Handshake)
        case probe(EngineIOSession)
    }

    private let role: Role
    private var session: EngineIOSession?
    private var link: WebSocketLink?
    private var closedWithError = false
    /// A fragmented message being reassembled.
    private var fragments: (opcode: WebSocketOpcode, data: ByteBuffer)?
    private var maxMessage = 1_000_000
    private var pendingPong: ByteBuffer?
    /// A new session's WebSocket, from joining the pipeline until
    /// `upgradeSettled`: every flush waits, so the 101, the open packet and
    /// the replies to bytes that came with the upgrade request leave in one
    /// write.
    private var settling = false

    /// The close codes this handler fails a connection with (RFC 6455 §7.4.1).
    enum CloseCode: UInt16 {
        case protocolError = 1002
        case dataInconsistentWithMessage = 1007
        case messageTooLarge = 1009
    }

    init(role: Role) { self.role = role }

    func handlerAdded(context: ChannelHandlerContext) {
        // Frames are written from the outbound bound's context when it is there: the one handler
        // between this one and the channel's head (or TLS) passes writes and flushes on untouched
        // (it only withholds reads), so starting below it saves a pipeline hop per write and flush.
        let bound = try? context.pipeline.syncOperations.context(name: HTTPPipelineNames.bound)
        let descriptor = (bound?.handler as? OutboundBoundHandler)?.descriptor ?? -1
        let link = WebSocketLink(channel: context.channel, writer: bound ?? context, descriptor: descriptor)
        self.link = link
        switch role {
        case .newSession(let server, let handshake):
            settling = true
            link.beginRead()
            maxMessage = server.configuration.maxPayload
            let s = server.openSession(on: context.eventLoop, handshake: handshake)
            session = s
            s.start(webSocket: link)
        case .probe(let s):
            maxMessage = s.server.configuration.maxPayload
            session = s
            // A probe may be refused at once (a second WebSocket closes):
            // its 101 goes first, as it did alone.
            context.flush()
            // Before any frame of this socket reaches the session.
            if s.eventLoop.inEventLoop { s.attachProbe(link) } else { s.eventLoop.execute { s.attachProbe(link) } }
        }
    }

    /// The upgrade is done and the HTTP decoder has handed on the bytes that
    /// followed the request (NIO does not end that read with a read
    /// complete): one flush for everything written so far.
    func upgradeSettled() {
        settling = false
        link?.flush()  // the 101 at least, even when the handler wrote nothing (a probe)
        link?.endRead()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closedWithError else { return }
        // Replies flush once, at the end of the read (`channelReadComplete`).
        link?.beginRead()
        let frame = unwrapInboundIn(data)
        if let code = Self.violation(frame) { return fail(code) }
        switch frame.opcode {
        case .ping:
            // RFC 6455 §5.5.3: only the latest ping of a burst needs its pong;
            // one per read, so a ping flood queues no more than one write.
            pendingPong = frame.unmaskedData
        case .pong:
            break
        case .connectionClose:
            link?.close()
        case .text, .binary:
            if fragments != nil { return fail(.protocolError) }  // a new message inside a fragmented one
            if frame.fin { return deliver(frame.opcode, frame.unmaskedData) }
            fragments = (frame.opcode, frame.unmaskedData)
        case .continuation:
            guard var f = fragments else { return fail(.protocolError) }
            var more = frame.unmaskedData
            guard f.data.readableBytes + more.readableBytes <= maxMessage else { return fail(.messageTooLarge) }
            f.data.writeBuffer(&more)
            if frame.fin {
                fragments = nil
                deliver(f.opcode, f.data)
            } else {
                fragments = f
            }
        default:
            fail(.protocolError)
        }
    }

    /// RFC 6455 §5.1–5.5: what makes a single frame unacceptable.
    static func violation(_ frame: WebSocketFrame) -> CloseCode? {
        if frame.maskKey == nil { return .protocolError }
        if frame.rsv1 || frame.rsv2 || frame.rsv3 { return .protocolError }
        switch frame.opcode {
        case .continuation, .text, .binary: return nil
        case .ping, .pong, .connectionClose:
            return frame.fin && frame.length <= 125 ? nil : .protocolError
        default:
            return .protocolError
        }
    }

    private func deliver(_ opcode: WebSocketOpcode, _ data: ByteBuffer) {
        let packet: EngineIOPacket
        if opcode == .text {
            guard let text = String(validating: data.readableBytesView, as: UTF8.self) else { return fail(.dataInconsistentWithMessage) }
            guard let p = try? EngineIOPacket.decode(textFrame: text) else {
                // An Engine.IO parse error closes the socket (the reference's).
                closedWithError = true
                if settling { upgradeSettled() }  // the 101 and the open packet, then the close
                link?.abort()
                return
            }
            packet = p
        } else {
            packet = EngineIOPacket(binaryMessage: Array(data.readableBytesView))
        }
        guard let s = session, let link else { return }
        if s.eventLoop.inEventLoop {
            s.webSocketReceived(packet, from: link)
        } else {
            s.eventLoop.execute { s.webSocketReceived(packet, from: link) }
        }
    }

    /// Fails the connection: a close frame with `code`, then the socket closes.
    private func fail(_ code: CloseCode) {
        closedWithError = true
        fragments = nil
        link?.close(code: code.rawValue)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // Frames past maxPayload, bad lengths, resets.
        if let e = error as? NIOWebSocketError, case .invalidFrameLength = e {
            fail(.messageTooLarge)
        } else if error is NIOWebSocketError {
            fail(.protocolError)
        } else {
            closedWithError = true
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let p = pendingPong {
            pendingPong = nil
            if context.channel.isWritable { link?.writeAndFlush(WebSocketFraming.serverControlFrame(opcode: 0xA, payload: p)) }
        }
        if !settling { link?.endRead() }
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if let s = session, let link, context.channel.isWritable {
            if s.eventLoop.inEventLoop { s.webSocketWritabilityChanged(link) }
            else { s.eventLoop.execute { s.webSocketWritabilityChanged(link) } }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let s = session, let link {
            let err = closedWithError
            if s.eventLoop.inEventLoop { s.webSocketClosed(link, error: err) }
            else { s.eventLoop.execute { s.webSocketClosed(link, error: err) } }
        }
        context.fireChannelInactive()
    }
}

/// Channel handlers live on their channel's loop only, as NIO's own do.
@available(*, unavailable)
extension EngineIOWebSocketHandler: Sendable {}
