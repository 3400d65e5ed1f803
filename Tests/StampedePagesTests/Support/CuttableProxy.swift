import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A TCP relay between the browser and the server that a test can cut: every
/// open connection closes at once, and for a while new ones are closed as
/// soon as they arrive — a short network outage, seen by the browser as its
/// WebSocket (or long-poll) dropping. It can also refuse WebSocket upgrades
/// only, which leaves the browser client long-polling, or every Engine.IO
/// request, which leaves only the HTTP API (the page's polling fallback).
final class CuttableProxy: Sendable {
    let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let listener: Channel
    private let state: NIOLockedValueBox<State>

    struct State {
        var open: [ObjectIdentifier: Channel] = [:]
        var refuseUntil: NIODeadline = .uptimeNanoseconds(0)
        var refusing = Refusal.nothing
        var cuts = 0
    }

    enum Refusal: Sendable { case nothing, webSockets, engineIO }

    init(targetPort: Int, refusing: Refusal = .nothing) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let state = NIOLockedValueBox(State(refusing: refusing))
        self.group = group
        self.state = state
        listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                let refused = state.withLockedValue { NIODeadline.now() < $0.refuseUntil }
                if refused { return inbound.close() }
                return ClientBootstrap(group: inbound.eventLoop)
                    .connect(host: "127.0.0.1", port: targetPort)
                    .flatMap { outbound in
                        let refusal = state.withLockedValue { s in
                            s.open[ObjectIdentifier(inbound)] = inbound
                            s.open[ObjectIdentifier(outbound)] = outbound
                            return s.refusing
                        }
                        let forget: @Sendable (Channel) -> Void = { ch in _ = state.withLockedValue { $0.open.removeValue(forKey: ObjectIdentifier(ch)) } }
                        inbound.closeFuture.whenComplete { _ in forget(inbound); outbound.close(promise: nil) }
                        outbound.closeFuture.whenComplete { _ in forget(outbound); inbound.close(promise: nil) }
                        return inbound.pipeline.addHandler(Relay(partner: outbound, refusing: refusal))
                            .flatMap { outbound.pipeline.addHandler(Relay(partner: inbound, refusing: .nothing)) }
                            .map { inbound.read() }
                    }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = listener.localAddress!.port!
    }

    /// Closes every relayed connection now; new ones are closed on arrival for `seconds`.
    func cut(refusingFor seconds: Double) {
        let channels = state.withLockedValue { s -> [Channel] in
            s.refuseUntil = NIODeadline.now() + .milliseconds(Int64(seconds * 1000))
            s.cuts += 1
            return Array(s.open.values)
        }
        for ch in channels { ch.close(promise: nil) }
    }

    var openConnections: Int { state.withLockedValue { $0.open.count / 2 } }

    func shutdown() async throws {
        let channels = state.withLockedValue { Array($0.open.values) }
        for ch in channels { try? await ch.close() }
        try? await listener.close()
        try await group.shutdownGracefully()
    }

    /// Copies bytes to the partner; reads only when the partner is writable-enough (autoRead is off).
    private final class Relay: ChannelDuplexHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundIn = ByteBuffer
        let partner: Channel
        let refusing: Refusal

        init(partner: Channel, refusing: Refusal) {
            self.partner = partner
            self.refusing = refusing
        }

        /// Looks at each read that starts a request (keep-alive connections carry many).
        func refused(_ buffer: ByteBuffer) -> Bool {
            guard refusing != .nothing else { return false }
            let head = String(buffer: buffer).lowercased()
            let requestLine = head.prefix { $0 != "\r" && $0 != "\n" }
            switch refusing {
            case .nothing: return false
            case .webSockets: return head.contains("upgrade: websocket")
            case .engineIO: return requestLine.contains(" /socket.io/")
            }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            if refused(buffer) { context.close(promise: nil); return }
            // Both channels share one loop: the next read follows the partner's write.
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            partner.writeAndFlush(buffer).whenComplete { _ in bound.value.read() }
        }

        func channelActive(context: ChannelHandlerContext) {
            context.read()
            context.fireChannelActive()
        }

        func read(context: ChannelHandlerContext) { context.read() }
    }
}
