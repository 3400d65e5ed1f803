import NIOCore
import SocketIOWire
import StampedeContract
import StampedeJSON

// The seam between the protocol layers (Engine.IO sessions, Socket.IO
// namespaces — folder `Transport/` and `SocketIO/`) and the workflow domain
// (auth, subscriptions, logs, fan-out, limits, stats — folder `Domain/`).
// The transport knows packets and sockets; the domain knows workflows and
// users. Neither reaches into the other's state.

/// How a Socket.IO socket on `/` ended, as the domain needs to know it:
/// recoverable ends keep the session for connection state recovery.
public enum SocketEndReason: Sendable, Equatable {
    /// Transport closed or errored, ping timeout, server shutdown.
    case transportLost(recoverable: Bool)
    /// The client sent `41` or closed the Engine.IO session on purpose.
    case clientDisconnect
    /// The server disconnected it (rate-limit abuse, slow consumer, shutdown).
    case serverDisconnect(ServerDisconnectCause)
}

public enum ServerDisconnectCause: String, Sendable {
    case slowConsumer = "slow_consumer"
    case rateLimitAbuse = "rate_limit_abuse"
    case shutdown
    case protocolError = "protocol_error"
}

/// Implemented by the transport for every socket the domain accepted. All
/// methods are called on `eventLoop` only (the transport's implementation
/// checks it: its state is loop-bound).
public protocol SocketOutput: AnyObject, Sendable {
    var eventLoop: EventLoop { get }
    /// Appends one pre-encoded event frame (a whole server WebSocket frame as
    /// built by `WebSocketFraming.serverTextFrame`; polling transports take
    /// `WebSocketFraming.payload(ofServerFrame:)`) without flushing. The
    /// transport enforces the bounded outbound queue: past the bound it
    /// closes the socket and reports `.serverDisconnect(.slowConsumer)`
    /// through `SocketDomain.socketEnded`.
    func write(frame: ByteBuffer)
    /// One flush per batch of writes.
    func flush()
    /// `write(frame:)` then `flush()`, in one call down to the transport: the fan-out's last
    /// frame for a socket that nothing else will write to this loop turn.
    func writeAndFlush(frame: ByteBuffer)
    /// Sends (and flushes) a packet encoded for this socket alone: acks,
    /// `error` events.
    func send(_ packet: SocketIOPacket)
    /// Server-side disconnect: `41`, then the Engine.IO session closes.
    func disconnect(_ cause: ServerDisconnectCause)

    /// Replays (`since`, recovery) are written in step with the socket:
    /// while `canWrite`, `writePaced` appends without the slow-consumer
    /// rule; then `whenWritable` runs once the socket has drained — on
    /// `eventLoop`, so `body` may hold loop-confined state (it is not
    /// `@Sendable`).
    var canWrite: Bool { get }
    func writePaced(frame: ByteBuffer)
    func whenWritable(_ body: @escaping () -> Void)
}

extension SocketOutput {
    public var canWrite: Bool { true }
    public func writeAndFlush(frame: ByteBuffer) {
        write(frame: frame)
        flush()
    }
    public func writePaced(frame: ByteBuffer) { write(frame: frame) }
    public func whenWritable(_ body: @escaping () -> Void) { eventLoop.assumeIsolated().execute(body) }
}

/// What the transport knows about a CONNECT to `/`.
public struct ConnectRequest: Sendable {
    /// The CONNECT packet payload (the client's `auth`), if any.
    public var auth: JSONValue?
    /// The Engine.IO handshake request's headers (lower-cased names).
    public var headers: [String: String]
    /// The handshake URL's query parameters.
    public var query: [String: String]
    public var transport: EngineIOTransport
    public var remoteAddress: String?

    public init(auth: JSONValue?, headers: [String: String], query: [String: String], transport: EngineIOTransport, remoteAddress: String?) {
        self.auth = auth
        self.headers = headers
        self.query = query
        self.transport = transport
        self.remoteAddress = remoteAddress
    }
}

/// The domain's answer to a CONNECT. It travels in a future (the decision
/// may be made after an asynchronous token check), so the socket handle
/// travels loop-bound: only its loop can open it.
public enum ConnectDecision: Sendable {
    /// Reply `0{"sid":sid[,"pid":pid]}`; when `recovered` the transport
    /// sends the reply after the replayed events the domain already wrote.
    case accept(NIOLoopBound<any DomainSocket>, sid: String, pid: String?)
    /// Reply `4<payload>`; the Engine.IO session stays open.
    case refuse(JSONValue)

    /// Accepts `socket`, made on (and confined to) `loop` — the caller is on it.
    public static func accept(_ socket: any DomainSocket, on loop: EventLoop, sid: String, pid: String?) -> ConnectDecision {
        .accept(NIOLoopBound(socket, eventLoop: loop), sid: sid, pid: pid)
    }
}

/// The domain's handle for one accepted socket; the transport passes it back
/// on the socket's loop. Not `Sendable`: a socket's state is its loop's.
public protocol DomainSocket: AnyObject {}

/// Implemented by the domain (`Domain/Hub`). The transport calls these on
/// the socket's event loop.
public protocol SocketDomain: Sendable {
    /// Authenticate and register. Completes on `output.eventLoop`.
    func connect(_ request: ConnectRequest, output: SocketOutput) -> EventLoopFuture<ConnectDecision>
    /// The decision without suspending, or nil when `connect` must run (a
    /// token verified asynchronously, a recovery from the cluster's shared
    /// sessions). Called on `output.eventLoop`; a CONNECT decided here costs
    /// no future.
    func connectImmediately(_ request: ConnectRequest, output: SocketOutput) -> ConnectDecision?
    /// A client EVENT on `/`. `ack` is nil when the client asked for none.
    func event(_ socket: DomainSocket, name: String, arguments: [JSONValue], ackID: UInt64?)
    /// The Engine.IO session moved from polling to WebSocket (stats).
    func transportUpgraded(_ socket: DomainSocket)
    func socketEnded(_ socket: DomainSocket, reason: SocketEndReason)
    /// Something the transport did to a connection on its own (counted).
    func transportEvent(_ event: TransportEvent)
}

/// Connection-level events the transport reports for stats and metrics.
public enum TransportEvent: Sendable {
    /// An HTTP connection's header, body or keep-alive idle timeout expired.
    case connectionTimedOut
    /// A connection's unsent output stayed past its bound: it was closed.
    case writeStallClosed
}

extension SocketDomain {
    public func transportEvent(_ event: TransportEvent) {}
    public func connectImmediately(_ request: ConnectRequest, output: SocketOutput) -> ConnectDecision? { nil }
}

/// One HTTP request the transport routes to the domain (everything that is
/// not `/socket.io/`).
public struct APIRequest: Sendable {
    public var method: String
    /// Path without the query string.
    public var path: String
    public var query: [String: String]
    /// Lower-cased header names.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, path: String, query: [String: String], headers: [String: String], body: [UInt8]) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}

public struct APIResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// A body too large to build whole (a workflow's full history): the
    /// transport writes `body` first, then asks for one part at a time
    /// while the connection can take it, so an unread response costs one
    /// part of memory, not the whole.
    public var producer: (any APIBodyProducer)?

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = [], producer: (any APIBodyProducer)? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.producer = producer
    }

    /// The whole body, the producer drained (for callers that are not a
    /// connection: tests, proxies).
    public var wholeBody: [UInt8] {
        guard let producer else { return body }
        var out = body
        while let part = producer.nextPart(maxBytes: 1 << 20) { out += part }
        return out
    }

    public static func json(_ status: Int, _ value: JSONValue, headers: [(String, String)] = []) -> APIResponse {
        APIResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: value.serializedBytes)
    }
}

/// The rest of a streamed body. Called on one event loop at a time, in
/// order, until it returns nil.
public protocol APIBodyProducer: Sendable {
    /// Bytes it will produce in all (the response's Content-Length is
    /// `body.count + length`: every client here reads Content-Length).
    var length: Int { get }
    func nextPart(maxBytes: Int) -> [UInt8]?
}

/// Implemented by the domain: the HTTP API, `/health`, `/metrics`.
public protocol APIHandler: Sendable {
    func handle(_ request: APIRequest) async -> APIResponse
    /// The answer without suspending, or nil when `handle` must run (e.g. a
    /// token whose key is verified asynchronously). Called on the
    /// connection's event loop.
    func handleImmediately(_ request: APIRequest) -> APIResponse?
}

extension APIHandler {
    public func handleImmediately(_ request: APIRequest) -> APIResponse? { nil }
}
