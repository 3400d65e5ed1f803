import NIOCore
import NIOWebSocket
import SocketIOWire

/// The read side of one server WebSocket: one handler per connection, no
/// Task. Either the session's own transport (opened with
/// `transport=websocket` and no sid) or an upgrade probe for a polling
/// session. Every frame carries one Engine.IO packet.
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

    init(role: Role) { self.role = role }

    func handlerAdded(context: ChannelHandlerContext) {
        guard let encoder = try? context.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self) else {
            context.close(promise: nil)
            return
        }
        let link = WebSocketLink(channel: context.channel, encoderContext: encoder)
        self.link = link
        switch role {
        case .newSession(let server, let handshake):
            let s = server.openSession(on: context.eventLoop, handshake: handshake)
            session = s
            s.start(webSocket: link)
        case .probe(let s):
            session = s
            // Before any frame of this socket reaches the session.
            if s.eventLoop.inEventLoop { s.attachProbe(link) } else { s.eventLoop.execute { s.attachProbe(link) } }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let packet: EngineIOPacket
        switch frame.opcode {
        case .text:
            let text = String(buffer: frame.unmaskedData)
            guard let p = try? EngineIOPacket.decode(textFrame: text) else {
                // A parse error closes the socket.
                closedWithError = true
                context.close(promise: nil)
                return
            }
            packet = p
        case .binary:
            var data = frame.unmaskedData
            packet = EngineIOPacket(binaryMessage: data.readBytes(length: data.readableBytes) ?? [])
        case .ping:
            link?.writeAndFlush(WebSocketFraming.serverControlFrame(opcode: 0xA, payload: frame.unmaskedData))
            return
        case .connectionClose:
            link?.close()
            return
        default:
            return
        }
        guard let s = session, let link else { return }
        if s.eventLoop.inEventLoop {
            s.webSocketReceived(packet, from: link)
        } else {
            s.eventLoop.execute { s.webSocketReceived(packet, from: link) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // Oversized frames (maxPayload), bad framing, resets.
        closedWithError = true
        context.close(promise: nil)
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
