#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SocketIOWire

/// Binds the listening socket (`SocketListener`) and builds each connection's pipeline:
/// [TLS] → the outbound bound → the upgrade's fast path, which makes a WebSocket request in the
/// first read a WebSocket at once, and otherwise gives way to HTTP/1.1 (decoder, encoder,
/// pipelining) → the router. The router turns the connection into a WebSocket itself when a
/// later request asks for it (WebSocketHandshake).
enum HTTPServerBootstrapper {
    static func bind(server: EngineIOServer, api: any APIHandler, group: EventLoopGroup,
                     tls: NIOSSLContext?, tracker: ConnectionTracker) throws -> SocketListener {
        let config = server.configuration
        let limit = max(config.outboundQueueLimit, 2)
        let cors = CORSPolicy(origins: config.corsOrigins, credentials: config.corsCredentials)
        let listener = try SocketListener(host: config.host, port: config.port, reusePort: config.reusePort)
        listener.start(group: group) { descriptor, loop in
            ClientBootstrap(group: loop)
                // The key ClientBootstrap sets by default, so it is set once (a `.socketOption` key
                // would be a second setsockopt per connection).
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelOption(.writeBufferWaterMark, value: .init(low: limit / 2, high: limit))
                // Each channel keeps its last receive buffer for the next read, sized by this
                // allocator: NIO's default starts at 2 KB, held by every idle subscriber (what a
                // subscriber sends is a pong or a subscribe). Starting at 512 B saves ~1.5 KB per
                // connection; a publish body that fills a read grows the next one at once.
                .channelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65536))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        tracker.add(channel)
                        // Under TLS every byte goes through NIOSSL: no direct writes.
                        try configureConnection(channel.pipeline.syncOperations, server: server, api: api, cors: cors, tls: tls,
                                                descriptor: tls == nil ? descriptor : -1)
                    }
                }
        }
        return listener
    }

    /// One accepted connection's handlers: [TLS], the outbound bound and the upgrade's fast
    /// path, which either makes the connection a WebSocket at its first read or adds the HTTP
    /// handlers (`addHTTPHandlers`) and steps aside. Every handler here is one more for each
    /// connection to allocate and to take out again, so there are as few as can be.
    static func configureConnection(_ ops: ChannelPipeline.SynchronousOperations, server: EngineIOServer,
                                    api: any APIHandler, cors: CORSPolicy, tls: NIOSSLContext?, descriptor: CInt = -1) throws {
        let config = server.configuration
        if let tls { try ops.addHandler(NIOSSLServerHandler(context: tls)) }
        let domain = server.domain
        let bound = OutboundBoundHandler(stallTimeout: .milliseconds(Int64(config.writeStallTimeoutMs)), descriptor: descriptor) {
            domain.transportEvent(.writeStallClosed)
        }
        try ops.addHandler(bound, name: HTTPPipelineNames.bound)
        try ops.addHandler(UpgradeFastPathHandler(server: server, api: api, cors: cors, bound: bound))
    }

    /// The HTTP side, at the end of the pipeline: decoder, encoder, pipelining, router. The bound
    /// also reports arriving bytes and the router also answers parse errors, so there is no
    /// handler for either.
    static func addHTTPHandlers(_ ops: ChannelPipeline.SynchronousOperations, server: EngineIOServer,
                                api: any APIHandler, cors: CORSPolicy, bound: OutboundBoundHandler) throws {
        let config = server.configuration
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderListSize = config.maxHeaderBytes
        limits.maxHeaderFieldSize = config.maxHeaderBytes
        try ops.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes,
                                                                   informationalResponseStrategy: .drop,
                                                                   limitConfiguration: limits)),
                           name: HTTPPipelineNames.decoder)
        try ops.addHandler(HTTPResponseEncoder(), name: HTTPPipelineNames.encoder)
        try ops.addHandler(HTTPServerPipelineHandler(), name: HTTPPipelineNames.pipelining)
        try ops.addHandler(HTTPRouterHandler(server: server, api: api, cors: cors, bound: bound))
    }
}
