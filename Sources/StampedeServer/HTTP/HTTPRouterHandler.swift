import NIOCore
import NIOHTTP1
import SocketIOWire
import StampedeJSON

/// The HTTP side of a connection, for every request it carries: Engine.IO
/// long-polling and its errors, the WebSocket upgrade (on any request of a
/// keep-alive connection), CORS preflights, and everything else to the
/// domain's `APIHandler`. Owns the connection's timeouts. One instance per
/// connection, on its event loop; it leaves the pipeline on an upgrade.
final class HTTPRouterHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// What the request being read will get once it ends.
    private enum Route {
        /// Answered already (or being answered); drop the body.
        case discard
        case handshake(EngineIORequestQuery)
        case pollGET(EngineIOSession, UInt64)
        case pollPOST(EngineIOSession, UInt64)
        case upgrade(EngineIOWebSocketHandler.Role, accept: String)
        case api
    }

    /// The request being read: its head and the body collected so far.
    private struct Request {
        var head: HTTPRequestHead
        var route: Route
        var responder: HTTPResponder
        var body: ByteBuffer?
        var bodyLimit: Int
        var overLimit = false
    }

    /// Where the connection is in its current exchange, with that state's data inside the case
    /// (the pipelining handler hands over one request at a time, so they never overlap).
    private enum Exchange {
        case idle
        /// A request's head arrived; its body is being read.
        case reading(Request)
        /// A long-poll GET the session answers later; a close meanwhile is reported as an abort.
        case holdingPoll(EngineIOSession, UInt64)
        /// A streamed API body waiting for the channel to drain.
        case streaming(any APIBodyProducer, keepAlive: Bool)
    }

    private let server: EngineIOServer
    private let api: any APIHandler
    private let cors: CORSPolicy
    /// The connection's outbound bound, which reports arriving bytes until the upgrade.
    private let bound: OutboundBoundHandler
    private var exchange = Exchange.idle
    /// A final answer's head went out and its end has not: a parse error now can only close.
    private var responding = false
    private var clock: HTTPConnectionClock
    private var timer: (at: NIODeadline, task: LoopTimers.Handle)?

    /// The request being read, if any.
    private var reading: Request? {
        if case .reading(let r) = exchange { return r }
        return nil
    }

    init(server: EngineIOServer, api: any APIHandler, cors: CORSPolicy, bound: OutboundBoundHandler) {
        self.server = server
        self.api = api
        self.cors = cors
        self.bound = bound
        let c = server.configuration
        clock = HTTPConnectionClock(limits: .init(header: .milliseconds(Int64(c.headerTimeoutMs)),
                                                  body: .milliseconds(Int64(c.bodyTimeoutMs)),
                                                  idle: .milliseconds(Int64(c.idleTimeoutMs))), now: .now())
    }

    func handlerAdded(context: ChannelHandlerContext) { armTimer(context: context) }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.task.cancel()
        timer = nil
    }

    // MARK: inbound

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is OutboundBoundHandler.BytesArrived {
            clock.bytesArrived(now: .now())
            armTimer(context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard let parseError = error as? HTTPParserError else { return context.fireErrorCaught(error) }
        HTTPErrorResponder.answer(parseError, midResponse: responding, context: context)
    }

    /// A request that arrived while this connection's answers were past the outbound bound: it
    /// waits for writability instead of being answered. NIO's pipelining handler hands on the next
    /// pipelined request as soon as an answer ends, and one read can hold ~2,000 of them: answered
    /// back to back they kept the loop for seconds, and every other connection on it waited
    /// (HardeningTests' /metrics probe took 3–5 s). Held, the loop is free and the bound's stall
    /// timer closes a peer that never reads.
    private var parked: [HTTPServerRequestPart] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if !parked.isEmpty { return parked.append(part) }
        if case .head = part, !context.channel.isWritable { return parked.append(part) }
        handle(part, context: context)
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let h):
            let length = h.headers.first(name: "content-length").flatMap { Int($0) }
            clock.headReceived(now: .now(), contentLength: length)
            armTimer(context: context)
            var r = begin(h, context: context)
            if let length, length > r.bodyLimit, !r.overLimit {
                // Refused at the head: a body announced past the limit is never read.
                switch r.route {
                case .pollPOST, .api:
                    r.overLimit = true
                    tooLarge(r, context: context)
                default: break
                }
            }
            exchange = .reading(r)
        case .body(var chunk):
            guard var r = reading else { return }
            switch r.route {
            case .discard, .handshake, .pollGET, .upgrade: return
            case .pollPOST, .api:
                if r.overLimit { return }
                if (r.body?.readableBytes ?? 0) + chunk.readableBytes > r.bodyLimit {
                    r.overLimit = true
                    tooLarge(r, context: context)
                    exchange = .reading(r)
                    return
                }
                if r.body == nil { r.body = context.channel.allocator.buffer(capacity: chunk.readableBytes) }
                r.body!.writeBuffer(&chunk)
                exchange = .reading(r)
            }
        case .end:
            guard let r = reading else { return }
            exchange = .idle
            clock.requestEnded(now: .now())
            armTimer(context: context)
            if !r.overLimit { finish(r, context: context) }
        }
    }

    private func isEnginePath(_ uri: String) -> Bool {
        EngineIORequestTarget.isEngineIOPath(uri, path: server.configuration.enginePath)
    }

    private func begin(_ h: HTTPRequestHead, context: ChannelHandlerContext) -> Request {
        let engine = isEnginePath(h.uri)
        let verdict = cors.judge(h.headers)
        var r = Request(head: h, route: .discard,
                        responder: HTTPResponder(channel: context.channel, version: h.version, keepAlive: h.isKeepAlive,
                                                 cors: cors.responseHeaders(for: verdict)),
                        bodyLimit: engine ? server.configuration.maxPayload : server.configuration.maxRequestBody)
        if cors.isEnabled, CORSPolicy.isPreflight(h), engine || h.uri.hasPrefix("/api/") {
            answerPreflight(r, verdict: verdict)
            return r
        }
        if EngineIORequestTarget.isWebSocketUpgrade(h) {
            r.route = upgradeRoute(h, verdict: verdict, responder: r.responder, context: context)
            return r
        }
        r.route = engine ? pollingRoute(h, responder: r.responder) : .api
        return r
    }

    private func answerPreflight(_ r: Request, verdict: CORSPolicy.Verdict) {
        let plain = HTTPResponder(channel: r.responder.channel, version: r.head.version, keepAlive: r.head.isKeepAlive)
        if case .refused(let origin) = verdict {
            plain.respond(json: 403, code: "origin_not_allowed", message: "origin \(origin) may not call this server")
        } else {
            plain.respond(status: .noContent, headers: cors.preflightHeaders(for: verdict))
        }
    }

    /// Engine.IO's checks first (the reference's order), then the origin,
    /// then RFC 6455's; every refusal is answered and closes the socket.
    private func upgradeRoute(_ h: HTTPRequestHead, verdict: CORSPolicy.Verdict, responder r: HTTPResponder,
                              context: ChannelHandlerContext) -> Route {
        let refuse = HTTPResponder(channel: r.channel, version: h.version, keepAlive: false)
        guard isEnginePath(h.uri) else {
            refuse.respond(status: .badRequest, contentType: "text/html", text: "Not found", close: true)
            return .discard
        }
        let target: EngineIORequestTarget
        switch EngineIORequestTarget.resolveWebSocket(h, registry: server.registry) {
        case .failure(let e):
            refuse.respond(status: .badRequest, contentType: "text/html", text: e.message, close: true)
            return .discard
        case .success(let t): target = t
        }
        if case .refused(let origin) = verdict {
            refuse.respond(json: 403, code: "origin_not_allowed", message: "origin \(origin) may not open a WebSocket here")
            return .discard
        }
        switch WebSocketHandshake.validate(h) {
        case .failure(.unsupportedVersion):
            refuse.respond(status: .upgradeRequired, headers: [("Sec-WebSocket-Version", "13"), ("Content-Type", "text/html")],
                           body: context.channel.allocator.buffer(string: "Unsupported WebSocket version"), close: true)
            return .discard
        case .failure(.badRequest(let why)):
            refuse.respond(status: .badRequest, contentType: "text/html", text: why, close: true)
            return .discard
        case .success(let accept):
            let role: EngineIOWebSocketHandler.Role = target.session.map { .probe($0) } ?? .newSession(server, EngineIORequestTarget.handshake(
                h, query: target.query, remoteAddress: context.channel.remoteAddress?.ipAddress))
            return .upgrade(role, accept: accept)
        }
    }

    private func pollingRoute(_ h: HTTPRequestHead, responder r: HTTPResponder) -> Route {
        let query: EngineIORequestQuery
        do {
            query = try EngineIORequestQuery.parse(query: EngineIORequestTarget.queryString(h.uri))
        } catch {
            r.respond(engineIOError: error)
            return .discard
        }
        guard query.transport == .polling else {
            // A WebSocket request without an Upgrade header.
            r.respond(engineIOError: .badRequest)
            return .discard
        }
        guard let sid = query.sid else {
            guard h.method == .GET else {
                r.respond(engineIOError: .badHandshakeMethod)
                return .discard
            }
            return .handshake(query)
        }
        guard let session = server.registry.session(sid) else {
            r.respond(engineIOError: .unknownSessionID)
            return .discard
        }
        let id = server.registry.nextRequestID()
        switch h.method {
        case .GET:
            return .pollGET(session, id)
        case .POST:
            session.eventLoop.execute { _ = session.pollPOSTBegan(id: id, responder: r) }
            return .pollPOST(session, id)
        default:
            r.respond(engineIOError: .badRequest)
            return .discard
        }
    }

    private func finish(_ request: Request, context: ChannelHandlerContext) {
        let r = request.responder
        let h = request.head
        switch request.route {
        case .discard:
            break
        case .handshake(let query):
            let handshake = EngineIORequestTarget.handshake(h, query: query, remoteAddress: context.channel.remoteAddress?.ipAddress)
            let session = server.openSession(on: context.eventLoop, handshake: handshake)
            r.respond(pollingPacket: session.openPacket)
            session.start(webSocket: nil)
        case .pollGET(let session, let id):
            exchange = .holdingPoll(session, id)
            session.eventLoop.execute { session.pollGET(id: id, responder: r) }
        case .pollPOST(let session, let id):
            let text = request.body.map { String(buffer: $0) } ?? ""
            session.eventLoop.execute { session.pollPOSTEnded(id: id, body: text, responder: r) }
        case .upgrade(let role, let accept):
            do {
                try WebSocketHandshake.switchProtocols(context: context, head: h, accept: accept, bound: bound,
                                                       maxFrameSize: max(server.configuration.maxPayload, 126),
                                                       handler: EngineIOWebSocketHandler(role: role))
            } catch {
                context.close(promise: nil)
            }
        case .api:
            let apiRequest = APIRequest(
                method: h.method.rawValue,
                path: String(h.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""),
                query: QueryString.parse(EngineIORequestTarget.queryString(h.uri)),
                headers: EngineIORequestTarget.lowercasedHeaders(h.headers),
                body: request.body.map { Array($0.readableBytesView) } ?? [])
            if let resp = api.handleImmediately(apiRequest) {
                answer(resp, responder: r, context: context)
                return
            }
            let api = self.api
            let log = server.configuration.log
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.makeFutureWithTask { await api.handle(apiRequest) }.whenComplete { result in
                let (handler, context) = bound.value
                switch result {
                case .success(let resp): handler.answer(resp, responder: r, context: context)
                case .failure(let error):
                    log.log(.requestFailed, level: .error, "HTTP request failed: answered 500",
                            ["method": .string(apiRequest.method), "path": .string(apiRequest.path), "error": .string("\(error)")])
                    r.respond(json: 500, code: "internal", message: "the request failed")
                }
            }
        }
    }

    private func tooLarge(_ request: Request, context: ChannelHandlerContext) {
        switch request.route {
        case .pollPOST(let session, let id):
            let r = request.responder
            session.eventLoop.execute { session.pollPOSTEnded(id: id, body: nil, responder: r) }
        default:
            request.responder.respond(json: 413, code: "payload_too_large", message: "request body too large", close: true)
        }
    }

    // MARK: API answers, streamed with backpressure when large

    private func answer(_ resp: APIResponse, responder r: HTTPResponder, context: ChannelHandlerContext) {
        guard let producer = resp.producer else {
            r.respond(status: HTTPResponseStatus(statusCode: resp.status), headers: resp.headers,
                      body: context.channel.allocator.buffer(bytes: resp.body))
            return
        }
        var headers = HTTPHeaders(resp.headers + r.cors)
        headers.replaceOrAdd(name: "Content-Length", value: String(resp.body.count + producer.length))
        let keepAlive = r.keepAlive
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        responding = true
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: r.version, status: HTTPResponseStatus(statusCode: resp.status),
                                                            headers: headers))), promise: nil)
        if !resp.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: resp.body)))), promise: nil)
        }
        exchange = .streaming(producer, keepAlive: keepAlive)
        continueStreaming(context: context)
    }

    private static let streamPart = 64 * 1024

    private func continueStreaming(context: ChannelHandlerContext) {
        guard case .streaming(let producer, let keepAlive) = exchange else { return }
        while context.channel.isWritable {
            guard let part = producer.nextPart(maxBytes: Self.streamPart) else {
                exchange = .idle
                responding = false
                let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
                if !keepAlive { done.assumeIsolated().whenComplete { _ in context.close(promise: nil) } }
                return
            }
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: part)))), promise: nil)
        }
        context.flush()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            continueStreaming(context: context)
            let held = parked
            parked = []
            for part in held { handle(part, context: context) }
        }
        context.fireChannelWritabilityChanged()
    }

    // MARK: outbound: the end of an answer starts the idle clock

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let h) where h.status.code >= 200:
            responding = true
        case .end:
            responding = false
            clock.responseEnded(now: .now())
            armTimer(context: context)
            // The held poll was answered: a later close is no abort of it.
            if case .holdingPoll = exchange { exchange = .idle }
        default:
            break
        }
        context.write(data, promise: promise)
    }

    // MARK: timeouts

    /// One timer per connection, moved only when the deadline comes
    /// earlier; a timer that fires early re-arms for the current deadline.
    private func armTimer(context: ChannelHandlerContext) {
        guard let deadline = clock.deadline else { return }
        if let t = timer, t.at <= deadline { return }
        timer?.task.cancel()
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = (deadline, LoopTimers.on(context.eventLoop).schedule(deadline: deadline) {
            let (handler, context) = bound.value
            handler.timer = nil
            handler.timerFired(context: context)
        })
    }

    private func timerFired(context: ChannelHandlerContext) {
        guard let expiry = clock.expired(at: .now()) else {
            armTimer(context: context)
            return
        }
        server.domain.transportEvent(.connectionTimedOut)
        switch expiry {
        case .idle:
            context.close(promise: nil)
        case .header:
            // No request head yet, so nothing above the decoder knows of a
            // request: the answer goes out as bytes below the HTTP handlers.
            let body: JSONValue = ["error": ["code": "request_timeout", "message": "request headers took too long"]]
            let text = body.serialized
            var buf = context.channel.allocator.buffer(capacity: 160 + text.utf8.count)
            buf.writeString("HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: \(text.utf8.count)\r\nConnection: close\r\n\r\n")
            buf.writeString(text)
            guard let raw = try? context.pipeline.syncOperations.context(name: HTTPPipelineNames.bound) else {
                context.close(promise: nil)
                return
            }
            raw.writeAndFlush(NIOAny(buf)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        case .body:
            let r = HTTPResponder(channel: context.channel, version: reading?.head.version ?? .http1_1, keepAlive: false)
            r.respond(json: 408, code: "request_timeout", message: "request body made no progress", close: true)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.task.cancel()
        timer = nil
        if case .holdingPoll(let s, let id) = exchange {
            s.eventLoop.execute { s.pollGETAborted(id: id) }
        }
        exchange = .idle
        context.fireChannelInactive()
    }
}

/// Channel handlers live on their channel's loop only, as NIO's own do.
@available(*, unavailable)
extension HTTPRouterHandler: Sendable {}
