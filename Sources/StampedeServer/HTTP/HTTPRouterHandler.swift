import NIOCore
import NIOHTTP1
import SocketIOWire
import StampedeJSON

/// The plain-HTTP side of a connection: `/socket.io/` goes to Engine.IO
/// long-polling (and its errors), everything else to the domain's
/// `APIHandler`. One instance per connection, on its event loop.
final class HTTPRouterHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum Route {
        /// Answered already (or being answered); drop the body.
        case discard
        case handshake(EngineIORequestQuery)
        case pollGET(EngineIOSession, UInt64)
        case pollPOST(EngineIOSession, UInt64)
        case api
    }

    private let server: EngineIOServer
    private let api: any APIHandler
    private var head: HTTPRequestHead?
    private var route = Route.discard
    private var body: ByteBuffer?
    private var bodyLimit = 0
    private var overLimit = false
    /// The long-poll GET this connection is holding, to report an abort.
    private var heldGET: (EngineIOSession, UInt64)?

    init(server: EngineIOServer, api: any APIHandler) {
        self.server = server
        self.api = api
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = nil
            overLimit = false
            route = routeFor(h, context: context)
        case .body(var chunk):
            guard let h = head else { return }
            switch route {
            case .discard, .handshake, .pollGET: return
            case .pollPOST, .api:
                if overLimit { return }
                if (body?.readableBytes ?? 0) + chunk.readableBytes > bodyLimit {
                    overLimit = true
                    tooLarge(h, context: context)
                    return
                }
                if body == nil { body = context.channel.allocator.buffer(capacity: chunk.readableBytes) }
                body!.writeBuffer(&chunk)
            }
        case .end:
            guard let h = head else { return }
            head = nil
            if overLimit { return }
            finish(h, context: context)
        }
    }

    private func responder(_ h: HTTPRequestHead, context: ChannelHandlerContext) -> HTTPResponder {
        HTTPResponder(channel: context.channel, version: h.version, keepAlive: h.isKeepAlive)
    }

    private func routeFor(_ h: HTTPRequestHead, context: ChannelHandlerContext) -> Route {
        let r = responder(h, context: context)
        guard EngineIORequestTarget.isEngineIOPath(h.uri) else {
            bodyLimit = server.configuration.maxRequestBody
            return .api
        }
        bodyLimit = server.configuration.maxPayload
        if EngineIORequestTarget.isWebSocketUpgrade(h) {
            // The upgrader refused it: a plain 400 and the socket closes.
            let message: String
            switch EngineIORequestTarget.resolveWebSocket(h, registry: server.registry) {
            case .failure(let e): message = e.message
            case .success: message = EngineIOError.badRequest.message
            }
            r.respond(status: .badRequest, contentType: "text/html", text: message, close: true)
            return .discard
        }
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

    private func finish(_ h: HTTPRequestHead, context: ChannelHandlerContext) {
        let r = responder(h, context: context)
        switch route {
        case .discard:
            break
        case .handshake(let query):
            let handshake = EngineIORequestTarget.handshake(h, query: query, remoteAddress: context.channel.remoteAddress?.ipAddress)
            let session = server.openSession(on: context.eventLoop, handshake: handshake)
            r.respond(pollingPacket: session.openPacket)
            session.start(webSocket: nil)
        case .pollGET(let session, let id):
            heldGET = (session, id)
            session.eventLoop.execute { session.pollGET(id: id, responder: r) }
        case .pollPOST(let session, let id):
            let text = body.map { String(buffer: $0) } ?? ""
            session.eventLoop.execute { session.pollPOSTEnded(id: id, body: text, responder: r) }
        case .api:
            let request = APIRequest(
                method: h.method.rawValue,
                path: String(h.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""),
                query: QueryString.parse(EngineIORequestTarget.queryString(h.uri)),
                headers: EngineIORequestTarget.lowercasedHeaders(h.headers),
                body: body.map { Array($0.readableBytesView) } ?? [])
            let api = self.api
            context.eventLoop.makeFutureWithTask { await api.handle(request) }.whenComplete { result in
                switch result {
                case .success(let resp):
                    var buf = r.channel.allocator.buffer(capacity: resp.body.count)
                    buf.writeBytes(resp.body)
                    r.respond(status: HTTPResponseStatus(statusCode: resp.status), headers: resp.headers, body: buf)
                case .failure:
                    r.respond(status: .internalServerError)
                }
            }
        }
        route = .discard
    }

    private func tooLarge(_ h: HTTPRequestHead, context: ChannelHandlerContext) {
        let r = responder(h, context: context)
        switch route {
        case .pollPOST(let session, let id):
            session.eventLoop.execute { session.pollPOSTEnded(id: id, body: nil, responder: r) }
        default:
            let err: JSONValue = ["error": ["code": "payload_too_large", "message": "request body too large"]]
            var buf = context.channel.allocator.buffer(capacity: 64)
            buf.writeString(err.serialized)
            r.respond(status: .payloadTooLarge, headers: [("Content-Type", "application/json")], body: buf, close: true)
        }
        route = .discard
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let (s, id) = heldGET {
            heldGET = nil
            s.eventLoop.execute { s.pollGETAborted(id: id) }
        }
        context.fireChannelInactive()
    }
}
