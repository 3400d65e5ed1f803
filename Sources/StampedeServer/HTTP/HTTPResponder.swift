import NIOCore
import NIOHTTP1
import SocketIOWire
import StampedeJSON

/// Answers one HTTP request from any event loop: long-poll GETs are answered
/// by the session's loop, which is usually not the connection's.
struct HTTPResponder: Sendable {
    let channel: Channel
    let version: HTTPVersion
    let keepAlive: Bool
    /// CORS headers for the request's origin, on every answer.
    var cors: [(String, String)] = []

    func respond(status: HTTPResponseStatus, headers extra: [(String, String)] = [], body: ByteBuffer? = nil, close: Bool = false) {
        var headers = HTTPHeaders(extra + cors)
        headers.replaceOrAdd(name: "Content-Length", value: String(body?.readableBytes ?? 0))
        let closeAfter = close || !keepAlive
        if closeAfter { headers.replaceOrAdd(name: "Connection", value: "close") }
        else if version.major == 1 && version.minor == 0 { headers.replaceOrAdd(name: "Connection", value: "keep-alive") }
        let head = HTTPResponseHead(version: version, status: status, headers: headers)
        channel.write(HTTPServerResponsePart.head(head), promise: nil)
        if let body, body.readableBytes > 0 {
            channel.write(HTTPServerResponsePart.body(.byteBuffer(body)), promise: nil)
        }
        let done = channel.writeAndFlush(HTTPServerResponsePart.end(nil))
        if closeAfter {
            let ch = channel
            done.whenComplete { _ in ch.close(promise: nil) }
        }
    }

    func respond(status: HTTPResponseStatus, contentType: String, text: String, close: Bool = false) {
        var buf = channel.allocator.buffer(capacity: text.utf8.count)
        buf.writeString(text)
        respond(status: status, headers: [("Content-Type", contentType)], body: buf, close: close)
    }

    /// The API's error shape, `{"error":{"code","message"}}`.
    func respond(json status: Int, code: String, message: String, close: Bool = false) {
        let body: JSONValue = ["error": ["code": .string(code), "message": .string(message)]]
        respond(status: HTTPResponseStatus(statusCode: status), contentType: "application/json", text: body.serialized, close: close)
    }

    /// An Engine.IO error: 400/403 with `{"code":N,"message":TEXT}`.
    func respond(engineIOError e: EngineIOError, close: Bool = false) {
        respond(status: HTTPResponseStatus(statusCode: e.httpStatus), contentType: EngineIOError.contentType, text: e.body, close: close)
    }

    /// A long-poll body (`text/plain; charset=UTF-8`).
    func respond(pollingPayload body: ByteBuffer) {
        respond(status: .ok, headers: [("Content-Type", "text/plain; charset=UTF-8")], body: body)
    }

    func respond(pollingPacket packet: EngineIOPacket) {
        respond(status: .ok, contentType: "text/plain; charset=UTF-8", text: packet.textFrame)
    }

    /// A POST was taken: 200 `ok` as `text/html` (the reference's answer).
    func respondPostOK() {
        respond(status: .ok, contentType: "text/html", text: "ok")
    }
}
