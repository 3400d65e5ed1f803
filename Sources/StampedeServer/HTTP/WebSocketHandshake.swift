import NIOCore
import NIOHTTP1
import NIOWebSocket
import SocketIOWire

/// The server side of the RFC 6455 opening handshake, done here rather than
/// by NIO's upgrader so that (1) an upgrade may be any request of a
/// keep-alive connection, not only its first (aiohttp sends it on a pooled
/// connection that carried polling requests), (2) every refusal gets an
/// answer (NIO's typed upgrader answers none for a missing key or a wrong
/// version), and (3) the switch removes as few handlers as it can.
enum WebSocketHandshake {
    enum Refusal: Error, Equatable {
        /// 400, with the reason as the body.
        case badRequest(String)
        /// 426 with `Sec-WebSocket-Version: 13` (RFC 6455 §4.4).
        case unsupportedVersion
    }

    /// The `Sec-WebSocket-Accept` value for a valid request.
    static func validate(_ head: HTTPRequestHead) -> Result<String, Refusal> {
        guard head.method == .GET else { return .failure(.badRequest("WebSocket upgrades are GET requests")) }
        guard HeaderTokens.contains(head.headers, "connection", token: "upgrade") else {
            return .failure(.badRequest("Connection header must contain \"Upgrade\""))
        }
        guard HeaderTokens.isOnly(head.headers, "sec-websocket-version", token: "13") else {
            return .failure(.unsupportedVersion)
        }
        guard let sent = head.headers.first(name: "sec-websocket-key") else {
            return .failure(.badRequest("Missing or invalid Sec-WebSocket-Key header"))
        }
        let key = HeaderTokens.trimmed(Substring(sent))
        guard let decoded = Base64.decode(key), decoded.count == 16 else {
            return .failure(.badRequest("Missing or invalid Sec-WebSocket-Key header"))
        }
        return .success(acceptValue(key: String(key)))
    }

    static func acceptValue(key: String) -> String { WebSocketFraming.acceptValue(key: key) }

    /// The 101 as bytes, for the fast path that has no HTTP encoder: what `switchProtocols`'s
    /// head encodes to.
    static func switchingProtocols(accept: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buf = allocator.buffer(capacity: 129)
        buf.writeStaticString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ")
        buf.writeString(accept)
        buf.writeStaticString("\r\n\r\n")
        return buf
    }

    /// Answers 101 and turns the connection into a WebSocket whose frames
    /// go to `handler`: the HTTP handlers leave, the frame decoder and the
    /// Engine.IO handler join. Bytes that followed the request (a client
    /// that did not wait for the 101) reach the frame decoder. Call on the
    /// channel's loop from the router's context, after the request's end.
    ///
    /// One flush carries the 101, the Engine.IO open packet and whatever the
    /// bytes that followed the request were answered with (a CONNECT's
    /// reply): the 101 is written unflushed, the handler holds its flushes
    /// from the moment it joins, and a task queued behind the decoder's
    /// removal (NIO hands its leftover bytes on in a task of its own) lets
    /// them go. Four removals: the bound stays and only stops reporting
    /// bytes, and parse errors are the router's own.
    static func switchProtocols(context: ChannelHandlerContext, head: HTTPRequestHead, accept: String,
                                bound: OutboundBoundHandler, maxFrameSize: Int,
                                handler: EngineIOWebSocketHandler) throws {
        let headers = HTTPHeaders([("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", accept)])
        context.write(NIOAny(HTTPServerResponsePart.head(
            HTTPResponseHead(version: head.version, status: .switchingProtocols, headers: headers))), promise: nil)
        bound.httpEnded()
        let ops = context.pipeline.syncOperations
        // Order matters. The HTTP handlers above the decoder leave first
        // (the Engine.IO handler writes at once, and raw frames must meet
        // no HTTP encoder); the request decoder goes last, so the bytes it
        // still holds reach the frame decoder.
        ops.removeHandler(name: HTTPPipelineNames.pipelining, promise: nil)
        ops.removeHandler(name: HTTPPipelineNames.encoder, promise: nil)
        ops.removeHandler(context: context, promise: nil)
        try ops.addHandler(ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: maxFrameSize)))
        try ops.addHandler(handler)
        ops.removeHandler(name: HTTPPipelineNames.decoder, promise: nil)
        context.eventLoop.assumeIsolated().execute { handler.upgradeSettled() }
    }
}

/// Names of the handlers the upgrade finds by name.
enum HTTPPipelineNames {
    static let bound = "outbound-bound"
    static let decoder = "http-decoder"
    static let encoder = "http-encoder"
    static let pipelining = "http-pipelining"
}
