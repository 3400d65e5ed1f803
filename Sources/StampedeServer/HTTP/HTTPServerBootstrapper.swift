#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SocketIOWire

/// Binds the listening socket and builds each connection's pipeline:
/// [TLS] → the outbound bound → HTTP/1.1 (decoder, encoder, pipelining,
/// error answers) → the router. The router turns the connection into a
/// WebSocket itself when a request asks for it (WebSocketHandshake).
enum HTTPServerBootstrapper {
    static func bind(server: EngineIOServer, api: any APIHandler, group: EventLoopGroup,
                     tls: NIOSSLContext?, tracker: ConnectionTracker) async throws -> Channel {
        let config = server.configuration
        let limit = max(config.outboundQueueLimit, 2)
        let cors = CORSPolicy(origins: config.corsOrigins, credentials: config.corsCredentials)
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(ChannelOptions.Types.SocketOption(level: NIOBSDSocket.OptionLevel(rawValue: CInt(SOL_SOCKET)), name: NIOBSDSocket.Option(rawValue: CInt(SO_REUSEPORT))), value: config.reusePort ? 1 : 0)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: limit / 2, high: limit))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    tracker.add(channel)
                    let ops = channel.pipeline.syncOperations
                    if let tls { try ops.addHandler(NIOSSLServerHandler(context: tls)) }
                    let domain = server.domain
                    try ops.addHandler(OutboundBoundHandler(stallTimeout: .milliseconds(Int64(config.writeStallTimeoutMs))) {
                        domain.transportEvent(.writeStallClosed)
                    })
                    try configureHTTP(ops, server: server, api: api, cors: cors)
                }
            }
            .bind(host: config.host, port: config.port)
            .get()
    }

    private static func configureHTTP(_ ops: ChannelPipeline.SynchronousOperations, server: EngineIOServer,
                                      api: any APIHandler, cors: CORSPolicy) throws {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderListSize = server.configuration.maxHeaderBytes
        limits.maxHeaderFieldSize = server.configuration.maxHeaderBytes
        try ops.addHandler(InboundActivityHandler(), name: HTTPPipelineNames.activity)
        try ops.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes,
                                                                   informationalResponseStrategy: .drop,
                                                                   limitConfiguration: limits)),
                           name: HTTPPipelineNames.decoder)
        try ops.addHandler(HTTPResponseEncoder(), name: HTTPPipelineNames.encoder)
        try ops.addHandler(HTTPServerPipelineHandler(), name: HTTPPipelineNames.pipelining)
        try ops.addHandler(HTTPErrorResponder(), name: HTTPPipelineNames.errors)
        try ops.addHandler(HTTPRouterHandler(server: server, api: api, cors: cors))
    }
}
