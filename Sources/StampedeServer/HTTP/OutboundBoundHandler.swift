import NIOCore

/// The one outbound bound every connection has, whatever it carries (HTTP
/// keep-alive, long-polling, WebSocket control frames): once its unsent
/// output passes the channel's high watermark it is not read any more — a
/// peer that pipelines requests or pings without reading the answers stops
/// being served — and if it stays there for `stallTimeout` it is closed.
/// The fan-out path has its own, stricter check (a subscriber past the bound
/// is disconnected at once); this one covers everything else.
///
/// While the connection speaks HTTP it also tells the router that request
/// bytes arrived (`BytesArrived`, before the decoder has a whole head), which
/// starts the header clock of an idle connection: the handler that sees raw
/// bytes anyway does it, so the upgrade has one handler fewer to take out.
final class OutboundBoundHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let stallTimeout: TimeAmount
    private let onStallClose: @Sendable () -> Void
    private var readPending = false
    private var stallTimer: LoopTimers.Handle?
    /// Until the connection becomes a WebSocket (`httpEnded`).
    private var reportsBytes = true

    struct BytesArrived {}

    /// The connection's socket, for the fan-out's direct writes once it is a WebSocket
    /// (`WebSocketLink`); -1 when every byte must go through the pipeline (TLS, test channels).
    let descriptor: CInt

    init(stallTimeout: TimeAmount, descriptor: CInt = -1, onStallClose: @escaping @Sendable () -> Void) {
        self.stallTimeout = stallTimeout
        self.descriptor = descriptor
        self.onStallClose = onStallClose
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if reportsBytes { context.fireUserInboundEventTriggered(BytesArrived()) }
        context.fireChannelRead(data)
    }

    /// The upgrade: no HTTP handler is left to care about arriving bytes.
    func httpEnded() { reportsBytes = false }

    func read(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            context.read()
        } else {
            readPending = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            stallTimer?.cancel()
            stallTimer = nil
            if readPending {
                readPending = false
                context.read()
            }
        } else if stallTimer == nil {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let onStall = onStallClose
            stallTimer = LoopTimers.on(context.eventLoop).schedule(in: stallTimeout) {
                let context = bound.value
                guard !context.channel.isWritable else { return }
                onStall()
                context.close(promise: nil)
            }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stallTimer?.cancel()
        stallTimer = nil
        context.fireChannelInactive()
    }
}

/// Channel handlers live on their channel's loop only, as NIO's own do.
@available(*, unavailable)
extension OutboundBoundHandler: Sendable {}
