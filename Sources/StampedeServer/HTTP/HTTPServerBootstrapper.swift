import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import SocketIOWire

/// Binds the listening socket and builds each connection's pipeline:
/// [TLS] → HTTP/1.1 with the WebSocket upgrader → either the Engine.IO
/// WebSocket handler or the HTTP router.
enum HTTPServerBootstrapper {
    static func bind(server: EngineIOServer, api: any APIHandler, group: EventLoopGroup,
                     tls: NIOSSLContext?, tracker: ConnectionTracker) async throws -> Channel {
        let config = server.configuration
        let limit = max(config.outboundQueueLimit, 2)
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: limit / 2, high: limit))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    tracker.add(channel)
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try configureHTTP(channel, server: server, api: api)
                }
            }
            .bind(host: config.host, port: config.port)
            .get()
    }

    private static func configureHTTP(_ channel: Channel, server: EngineIOServer, api: any APIHandler) throws {
        let maxPayload = server.configuration.maxPayload
        let upgrader = NIOTypedWebSocketServerUpgrader<Void>(
            maxFrameSize: max(maxPayload, 126),
            enableAutomaticErrorHandling: false,
            shouldUpgrade: { channel, head in
                guard EngineIORequestTarget.isEngineIOPath(head.uri) else {
                    refuseUpgrade(channel, head, message: "Not found")
                    return channel.eventLoop.makeSucceededFuture(nil)
                }
                if case .failure(let e) = EngineIORequestTarget.resolveWebSocket(head, registry: server.registry) {
                    refuseUpgrade(channel, head, message: e.message)
                    return channel.eventLoop.makeSucceededFuture(nil)
                }
                return channel.eventLoop.makeSucceededFuture(HTTPHeaders())
            },
            upgradePipelineHandler: { channel, head in
                channel.eventLoop.makeCompletedFuture {
                    // Re-resolve: the session may have changed since shouldUpgrade.
                    let role: EngineIOWebSocketHandler.Role
                    switch EngineIORequestTarget.resolveWebSocket(head, registry: server.registry) {
                    case .success(let target):
                        if let s = target.session {
                            role = .probe(s)
                        } else {
                            role = .newSession(server, EngineIORequestTarget.handshake(
                                head, query: target.query, remoteAddress: channel.remoteAddress?.ipAddress))
                        }
                    case .failure:
                        channel.close(promise: nil)
                        return
                    }
                    let ops = channel.pipeline.syncOperations
                    try ops.addHandler(NIOWebSocketFrameAggregator(
                        minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 64, maxAccumulatedFrameSize: max(maxPayload, 126)))
                    try ops.addHandler(EngineIOWebSocketHandler(role: role))
                }
            })
        let configuration = NIOUpgradableHTTPServerPipelineConfiguration<Void>(
            upgradeConfiguration: .init(upgraders: [upgrader], notUpgradingCompletionHandler: { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(HTTPRouterHandler(server: server, api: api))
                }
            }))
        _ = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
    }

    /// A refused WebSocket upgrade gets a plain 400 and the socket closes
    /// (the reference's `abortUpgrade`). Answered here because NIO's typed
    /// upgrader does not hand a refused request on to the HTTP handlers.
    private static func refuseUpgrade(_ channel: Channel, _ head: HTTPRequestHead, message: String) {
        HTTPResponder(channel: channel, version: head.version, keepAlive: false)
            .respond(status: .badRequest, contentType: "text/html", text: message, close: true)
    }
}
