import NIOCore
import NIOHTTP1
import NIOPosix
import SocketIOWire

/// Engine.IO over one WebSocket: a TCP (or TLS) channel, the HTTP upgrade,
/// then one text frame per packet, masked as RFC 6455 requires of clients.
/// Used directly (`transport=websocket`) and as the probe of an upgrade.
/// Loop-confined and not `Sendable`: what runs on another thread's terms (the channel
/// initializer, the upgrader's callback) reaches it through a `NIOLoopBound`, and its futures'
/// callbacks run through `assumeIsolated()`, so the compiler checks the confinement.
final class WebSocketTransport: EngineTransport, ServerFrameSink {
    let kind = EngineIOTransport.websocket
    private let options: ClientOptions
    private let sid: String?
    private let eventLoop: EventLoop
    private var sink: TransportSink?
    private var channel: Channel?
    private var upgraded = false
    private var closed = false
    /// Sends that raced the upgrade; normally empty (the server speaks first).
    private var early: [String] = []

    init(options: ClientOptions, sid: String?, eventLoop: EventLoop, sink: TransportSink) {
        self.options = options
        self.sid = sid
        self.eventLoop = eventLoop
        self.sink = sink
    }

    func start() {
        let endpoint = options.endpoint
        var head = HTTPRequestHead(version: .http1_1, method: .GET,
                                   uri: EngineIOURL.target(transport: .websocket, sid: sid, extra: options.query))
        head.headers.add(name: "Host", value: endpoint.hostHeader)
        for (k, v) in options.headers { head.headers.add(name: k, value: v) }
        let maxFrame = options.maxFrameSize
        // The channel lives on `eventLoop` (a one-loop group), so the initializer and the
        // upgrader's callback run there and may open the box.
        let parts = NIOLoopBound((transport: self, writer: UpgradeRequestWriter(head: head)), eventLoop: eventLoop)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(options.connectTimeout)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            // The channel keeps its last receive buffer between reads: NIO's default starts at
            // 2 KB per connection; one event frame is a few hundred bytes, and a read that
            // fills the buffer (batched events) grows the next one at once.
            .channelOption(ChannelOptions.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65536))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try ClientTLS.addHandlerIfNeeded(endpoint, to: channel)
                    let upgrader = FrameReaderUpgrader(maxFrameSize: maxFrame) { context in
                        try context.pipeline.syncOperations.addHandler(ServerFrameReader(sink: parts.value.transport, maxFrameSize: maxFrame))
                        context.pipeline.syncOperations.removeHandler(parts.value.writer, promise: nil)
                    }
                    // The server's open packet can share a segment with the
                    // 101 response: those bytes must reach the frame reader.
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(
                        leftOverBytesStrategy: .forwardBytes,
                        withClientUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
                    try channel.pipeline.syncOperations.addHandler(parts.value.writer)
                }
            }
        bootstrap.connect(to: endpoint, from: options.localAddress, ports: options.sourcePorts, on: eventLoop)
            .assumeIsolated().whenComplete { [self] result in
            switch result {
            case .success(let ch):
                if closed {
                    ch.close(promise: nil)
                    return
                }
                channel = ch
                ch.closeFuture.assumeIsolated().whenComplete { [self] _ in channelClosed() }
            case .failure(let error):
                fail(.error("connect: \(error)"))
            }
        }
    }

    func frameReaderDidUpgrade() { didUpgrade() }
    func frameReaderDidReceive(_ text: ByteBuffer) { sink?.transportDidReceive(text) }
    func frameReaderDidFail(_ reason: ClientCloseReason) { fail(reason) }

    private func didUpgrade() {
        upgraded = true
        for t in early { write(t, flush: false) }
        early = []
        channel?.flush()
    }

    private func fail(_ reason: ClientCloseReason) {
        guard !closed else { return }
        closed = true
        channel?.close(promise: nil)
        let s = sink
        sink = nil
        s?.transportDidClose(reason)
    }

    private func channelClosed() {
        fail(upgraded ? .transportClosed : .error("WebSocket upgrade refused"))
    }

    func send(_ text: String) {
        guard !closed else { return }
        guard upgraded else { early.append(text); return }
        write(text, flush: true)
    }

    private func write(_ text: String, flush: Bool) {
        guard let channel else { return }
        var text = text
        let frame = text.withUTF8 { WebSocketFraming.clientFrame(opcode: 0x1, payload: UnsafeRawBufferPointer($0), allocator: channel.allocator) }
        if flush { channel.writeAndFlush(frame, promise: nil) } else { channel.write(frame, promise: nil) }
    }

    func close(_ mode: TransportCloseMode) {
        guard !closed else { return }
        closed = true
        sink = nil
        guard let channel else { return }
        switch mode {
        case .abrupt: channel.closeAbruptly()
        case .graceful:
            if upgraded {
                let frame = withUnsafeBytes(of: UInt16(1000).bigEndian) {  // normal closure
                    WebSocketFraming.clientFrame(opcode: 0x8, payload: $0, allocator: channel.allocator)
                }
                channel.writeAndFlush(frame).whenComplete { _ in channel.close(promise: nil) }
            } else {
                channel.close(promise: nil)
            }
        }
    }

    func setReading(_ on: Bool) {
        guard let channel else { return }
        channel.setOption(ChannelOptions.autoRead, value: on).whenSuccess { if on { channel.read() } }
    }

}

/// Sends the upgrade request once TCP (and TLS) is up; the upgrade handler
/// in front of it adds the WebSocket headers. Removed on success; on a
/// refused upgrade it sees the response and closes.
private final class UpgradeRequestWriter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart
    let head: HTTPRequestHead

    init(head: HTTPRequestHead) { self.head = head }

    func channelActive(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

/// Channel handlers live on their channel's loop only, as NIO's own do.
@available(*, unavailable)
extension UpgradeRequestWriter: Sendable {}

