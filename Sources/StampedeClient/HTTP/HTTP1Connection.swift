import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// One keep-alive HTTP/1.1 connection, callback-based and loop-confined:
/// the long-polling transport holds two of these (so a pending GET never
/// blocks a POST) and `HTTPClient` pools them. Requests on one connection
/// are answered in order.
///
/// Genuinely `Sendable` (the pool hands connections between threads): the
/// response handler is reached through a `NIOLoopBound`, so only the
/// channel's loop touches it, and the one fact the pool reads from any
/// thread — whether the connection can carry another request — is a locked
/// flag.
final class HTTP1Connection: Sendable {
    typealias Callback = (Result<HTTPResponse, ClientError>) -> Void

    let channel: Channel
    let endpoint: ServerEndpoint
    private let handler: NIOLoopBound<HTTP1ResponseHandler>
    private let broken: NIOLockedValueBox<Bool>

    /// Any thread (the pool checks a connection it takes).
    var isOpen: Bool { channel.isActive && !broken.withLockedValue { $0 } }
    /// On `channel.eventLoop`.
    var isIdle: Bool { handler.value.pendingCount == 0 }

    /// On `channel.eventLoop` (the connect future's callback).
    private init(channel: Channel, endpoint: ServerEndpoint, handler: HTTP1ResponseHandler) {
        self.channel = channel
        self.endpoint = endpoint
        self.handler = NIOLoopBound(handler, eventLoop: channel.eventLoop)
        self.broken = handler.broken
    }

    static func connect(_ endpoint: ServerEndpoint, localAddress: String?, ports: SourcePorts? = nil, on eventLoop: EventLoop,
                        timeout: TimeAmount) -> EventLoopFuture<HTTP1Connection> {
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try ClientTLS.addHandlerIfNeeded(endpoint, to: channel)
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(HTTP1ResponseHandler())
                }
            }
        // The handler is looked up on the channel's loop, never captured
        // across the initializer's thread boundary.
        return bootstrap.connect(to: endpoint, from: localAddress, ports: ports, on: eventLoop)
            .flatMapThrowing { channel in
                HTTP1Connection(channel: channel, endpoint: endpoint,
                                handler: try channel.pipeline.syncOperations.handler(type: HTTP1ResponseHandler.self))
            }
            .flatMapErrorThrowing { throw ClientError.connectionFailed("\(endpoint.baseURL): \($0)") }
    }

    /// Must run on `channel.eventLoop`.
    func request(_ method: HTTPMethod, _ uri: String, headers: [(String, String)], body: [UInt8]?,
                 callback: @escaping Callback) {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: uri)
        head.headers.add(name: "Host", value: endpoint.hostHeader)
        for (k, v) in headers { head.headers.add(name: k, value: v) }
        if let body {
            head.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
        } else if method == .POST || method == .PUT {
            head.headers.replaceOrAdd(name: "Content-Length", value: "0")
        }
        guard handler.value.enqueue(callback) else {
            callback(.failure(.connectionFailed("connection closed")))
            return
        }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if let body, !body.isEmpty {
            channel.write(HTTPClientRequestPart.body(.byteBuffer(channel.allocator.buffer(bytes: body))), promise: nil)
        }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
    }

    func close(abrupt: Bool = false) {
        if abrupt { channel.closeAbruptly() } else { channel.close(promise: nil) }
    }

    func setReading(_ on: Bool) {
        let ch = channel
        ch.setOption(ChannelOptions.autoRead, value: on).whenSuccess { if on { ch.read() } }
    }
}

/// Collects responses and answers the waiting callbacks in FIFO order.
private final class HTTP1ResponseHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private var waiting: [HTTP1Connection.Callback] = []
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    /// Set once the connection can carry no further request (closed,
    /// errored, or the server said `Connection: close`); shared with the
    /// connection, which the pool reads from any thread.
    let broken = NIOLockedValueBox(false)
    private var failed: Bool {
        get { broken.withLockedValue { $0 } }
        set { broken.withLockedValue { $0 = newValue } }
    }

    var pendingCount: Int { waiting.count }

    func enqueue(_ cb: @escaping HTTP1Connection.Callback) -> Bool {
        guard !failed else { return false }
        waiting.append(cb)
        return true
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
        case .body(var b):
            body.append(contentsOf: b.readBytes(length: b.readableBytes) ?? [])
        case .end:
            guard let h = head, !waiting.isEmpty else { return }
            let cb = waiting.removeFirst()
            let response = HTTPResponse(status: Int(h.status.code), headers: h.headers.map { ($0.name, $0.value) }, body: body)
            head = nil
            body = []
            if !h.isKeepAlive { failed = true }
            cb(.success(response))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(.connectionFailed("connection closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        failAll(.connectionFailed("\(error)"))
        context.close(promise: nil)
    }

    private func failAll(_ e: ClientError) {
        failed = true
        let w = waiting
        waiting = []
        for cb in w { cb(.failure(e)) }
    }
}

/// Channel handlers live on their channel's loop only, as NIO's own do.
@available(*, unavailable)
extension HTTP1ResponseHandler: Sendable {}
