import NIOCore
import NIOHTTP1
import StampedeJSON

/// The answer to a request the HTTP decoder could not parse — 431 for
/// headers past the limit, 400 otherwise, in the API's JSON error shape —
/// after which the connection closes (it cannot be resynchronised). Replaces
/// NIO's `HTTPServerProtocolErrorHandler`, whose empty 400 left clients
/// guessing. The router calls it from its `errorCaught` (a handler of its
/// own would be one more for every connection to add and every upgrade to
/// take out).
enum HTTPErrorResponder {
    /// Answers `error` from `context` (a handler above the HTTP encoder), or
    /// only closes when an answer is already under way (`midResponse`).
    static func answer(_ error: HTTPParserError, midResponse: Bool, context: ChannelHandlerContext) {
        guard !midResponse else {
            context.close(promise: nil)
            return
        }
        let (status, code, message) = describe(error)
        let body: JSONValue = ["error": ["code": .string(code), "message": .string(message)]]
        var buf = context.channel.allocator.buffer(capacity: 96)
        buf.writeString(body.serialized)
        let headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", String(buf.readableBytes)),
                                   ("Connection", "close")])
        context.write(NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
                      promise: nil)
        context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buf))), promise: nil)
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).assumeIsolated().whenComplete { _ in
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
}
