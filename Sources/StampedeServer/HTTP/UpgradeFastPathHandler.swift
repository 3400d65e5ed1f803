import NIOCore
import NIOHTTP1
import NIOWebSocket
import SocketIOWire

/// A connection's first handler: when its first read is a whole Engine.IO WebSocket request
/// that passes every check the router makes (`RequestHeadScanner` reads it strictly), the
/// connection becomes a WebSocket at once, and no HTTP handler is ever made for it. Anything
/// else — a polling or API request, a head split over reads, a refusal to answer, a request
/// llhttp must judge — gets the HTTP handlers (`HTTPServerBootstrapper.addHTTPHandlers`) and
/// its bytes, as if they had been there from the start.
///
/// Why: a WebSocket client's connection held the HTTP handlers only to read one request. Adding
/// four handlers, parsing with llhttp, encoding the 101 and taking the four out again was a
/// large part of the server's CPU per connect (docs/BENCHMARKS.md §21).
///
/// Until the first read it keeps the header timeout, as the router does for a connection that
/// has sent nothing.
final class UpgradeFastPathHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let server: EngineIOServer
    private let api: any APIHandler
    private let cors: CORSPolicy
    private let bound: OutboundBoundHandler
    private var timer: LoopTimers.Handle?
    private var done = false

    init(server: EngineIOServer, api: any APIHandler, cors: CORSPolicy, bound: OutboundBoundHandler) {
        self.server = server
        self.api = api
        self.cors = cors
        self.bound = bound
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let limit = TimeAmount.milliseconds(Int64(server.configuration.headerTimeoutMs))
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let domain = server.domain
        timer = LoopTimers.on(context.eventLoop).schedule(in: limit) {
            domain.transportEvent(.connectionTimedOut)
            loopBound.value.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) { cancelTimer() }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The bound's report of arriving bytes is for the router, which exists only after a fallback.
        if event is OutboundBoundHandler.BytesArrived { return }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return context.fireChannelRead(data) }
        done = true
        cancelTimer()
        let bytes = unwrapInboundIn(data)
        if let upgrade = acceptedUpgrade(bytes, context: context) {
            do { try switchToWebSocket(context: context, upgrade, after: bytes) } catch { context.close(promise: nil) }
        } else {
            do { try fallBack(context: context, data) } catch { context.close(promise: nil) }
        }
    }

    private struct Upgrade {
        var accept: String
        var role: EngineIOWebSocketHandler.Role
        var headLength: Int
    }

    /// The router's checks for an upgrade (`HTTPRouterHandler.upgradeRoute`), all of them; nil
    /// when any fails, so that the router answers the refusal.
    private func acceptedUpgrade(_ bytes: ByteBuffer, context: ChannelHandlerContext) -> Upgrade? {
        let maxBytes = server.configuration.maxHeaderBytes
        guard let (head, length) = bytes.withUnsafeReadableBytes({ RequestHeadScanner.scanGET($0, maxBytes: maxBytes) }) else {
            return nil
        }
        guard EngineIORequestTarget.isWebSocketUpgrade(head),
              EngineIORequestTarget.isEngineIOPath(head.uri, path: server.configuration.enginePath) else { return nil }
        if case .refused = cors.judge(head.headers) { return nil }
        guard case .success(let target) = EngineIORequestTarget.resolveWebSocket(head, registry: server.registry),
              case .success(let accept) = WebSocketHandshake.validate(head) else { return nil }
        let role: EngineIOWebSocketHandler.Role = target.session.map { .probe($0) } ?? .newSession(server, EngineIORequestTarget.handshake(
            head, query: target.query, remoteAddress: context.channel.remoteAddress?.ipAddress))
        return Upgrade(accept: accept, role: role, headLength: length)
    }

    /// What `WebSocketHandshake.switchProtocols` leaves, made directly: the 101 written unflushed,
    /// the frame decoder and the Engine.IO handler after this one, the bytes that followed the
    /// head handed to them, this handler out, and one flush for all of it.
    private func switchToWebSocket(context: ChannelHandlerContext, _ upgrade: Upgrade, after bytes: ByteBuffer) throws {
        context.write(NIOAny(WebSocketHandshake.switchingProtocols(accept: upgrade.accept, allocator: context.channel.allocator)),
                      promise: nil)
        bound.httpEnded()
        let ops = context.pipeline.syncOperations
        let handler = EngineIOWebSocketHandler(role: upgrade.role)
        try ops.addHandler(ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: max(server.configuration.maxPayload, 126))))
        try ops.addHandler(handler)
        if bytes.readableBytes > upgrade.headLength {
            context.fireChannelRead(wrapInboundOut(bytes.getSlice(at: bytes.readerIndex + upgrade.headLength,
                                                                  length: bytes.readableBytes - upgrade.headLength)!))
        }
        ops.removeHandler(context: context, promise: nil)
        handler.upgradeSettled()
    }

    /// The HTTP handlers after this one, then the bytes as they came (the bound's report first,
    /// which starts the router's header clock), then this handler out.
    private func fallBack(context: ChannelHandlerContext, _ data: NIOAny) throws {
        try HTTPServerBootstrapper.addHTTPHandlers(context.pipeline.syncOperations, server: server, api: api, cors: cors, bound: bound)
        context.fireUserInboundEventTriggered(OutboundBoundHandler.BytesArrived())
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }
}

/// Channel handlers live on their channel's loop only, as NIO's own do.
@available(*, unavailable)
extension UpgradeFastPathHandler: Sendable {}
