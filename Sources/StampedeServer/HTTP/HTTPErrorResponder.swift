import NIOCore
import NIOHTTP1
import StampedeJSON

/// Answers a request the HTTP decoder could not parse — 431 for headers past
/// the limit, 400 otherwise, in the API's JSON error shape — and closes the
/// connection after the answer (it cannot be resynchronised). Replaces
/// NIO's `HTTPServerProtocolErrorHandler`, whose empty 400 left clients
/// guessing.
final class HTTPErrorResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var responding = false

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard let parseError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        // Mid-response there is no way to answer: just close.
        guard !responding else {
            context.close(promise: nil)
            return
        }
        let (status, code, message) = Self.describe(parseError)
        let body: JSONValue = ["error": ["code": .string(code), "message": .string(message)]]
        var buf = context.channel.allocator.buffer(capacity: 96)
        buf.writeString(body.serialized)
        let headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", String(buf.readableBytes)),
                                   ("Connection", "close")])
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buf))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    static func describe(_ e: HTTPParserError) -> (HTTPResponseStatus, String, String) {
        switch e {
        case .headerOverflow:
            return (.requestHeaderFieldsTooLarge, "request_header_fields_too_large", "the request's headers are over the server's limit")
        default:
            return (.badRequest, "bad_request", "malformed HTTP request (\(e))")
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let h) where h.status.code >= 200: responding = true
        case .end: responding = false
        default: break
        }
        context.write(data, promise: promise)
    }
}
