import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// A small HTTP/1.1 client with keep-alive, for the REST side of the
/// contract (create workflows, publish events, stats, the polling
/// fallback). It pools idle connections per client; thousands of concurrent
/// requests simply open more connections.
public final class HTTPClient: Sendable {
    public let endpoint: ServerEndpoint
    private let group: EventLoopGroup
    private let idle = NIOLockedValueBox<[HTTP1Connection]>([])
    private let maxIdle: Int
    /// Timeout for connecting and for a whole request.
    public let timeout: TimeAmount
    /// Source address for every connection (see `ClientOptions.localAddress`).
    public let localAddress: String?

    public init(endpoint: ServerEndpoint, eventLoopGroup: EventLoopGroup, timeout: TimeAmount = .seconds(30),
                localAddress: String? = nil, maxIdleConnections: Int = 64) {
        self.endpoint = endpoint
        self.group = eventLoopGroup
        self.timeout = timeout
        self.localAddress = localAddress
        self.maxIdle = maxIdleConnections
    }

    public func request(_ method: String, _ path: String, headers: [(String, String)] = [],
                        body: [UInt8]? = nil) async throws -> HTTPResponse {
        try await requestFuture(method, path, headers: headers, body: body).get()
    }

    /// The same, for event-loop code (the load generator's publishers). With `preferred` (one of
    /// the client's own group's loops) the request goes over a connection on that loop, pooled or
    /// new, so a caller on it never waits for another thread to send or to hear the answer.
    public func requestFuture(_ method: String, _ path: String, headers: [(String, String)] = [],
                              body: [UInt8]? = nil, on preferred: EventLoop? = nil) -> EventLoopFuture<HTTPResponse> {
        let call = PendingCall(method: HTTPMethod(rawValue: method.uppercased()), path: path, headers: headers, body: body)
        if let reused = takeIdle(on: preferred) {
            let loop = reused.channel.eventLoop
            guard reused.isOpen else {
                reused.close()
                return send(call, on: freshConnection(on: loop), loop: loop)
            }
            // The server may have closed an idle keep-alive connection just
            // now; a request that dies before any answer is retried once.
            return send(call, on: loop.makeSucceededFuture(reused), loop: loop).flatMapError { error in
                guard case ClientError.connectionFailed = error else { return loop.makeFailedFuture(error) }
                return self.send(call, on: self.freshConnection(on: loop), loop: loop)
            }
        }
        let loop = preferred ?? group.next()
        return send(call, on: freshConnection(on: loop), loop: loop)
    }

    /// The most recently pooled idle connection, on `loop` when one is given.
    private func takeIdle(on loop: EventLoop?) -> HTTP1Connection? {
        idle.withLockedValue { list in
            guard let loop else { return list.popLast() }
            guard let i = list.lastIndex(where: { $0.channel.eventLoop === loop }) else { return nil }
            return list.remove(at: i)
        }
    }

    private func freshConnection(on loop: EventLoop) -> EventLoopFuture<HTTP1Connection> {
        HTTP1Connection.connect(endpoint, localAddress: localAddress, on: loop, timeout: timeout)
    }

    private func send(_ call: PendingCall, on connection: EventLoopFuture<HTTP1Connection>,
                      loop: EventLoop) -> EventLoopFuture<HTTPResponse> {
        let timeout = self.timeout
        return connection.flatMap { conn in
            let promise = loop.makePromise(of: HTTPResponse.self)
            let done = NIOLoopBoundBox(false, eventLoop: loop)  // the timeout and the answer race on this loop
            let timer = loop.scheduleTask(in: timeout) {
                guard !done.value else { return }
                done.value = true
                conn.close(abrupt: true)
                promise.fail(ClientError.timeout)
            }
            conn.request(call.method, call.path, headers: call.headers, body: call.body) { result in
                timer.cancel()
                guard !done.value else { return }
                done.value = true
                switch result {
                case .success(let r):
                    self.release(conn)
                    promise.succeed(r)
                case .failure(let e):
                    conn.close()
                    promise.fail(e)
                }
            }
            return promise.futureResult
        }
    }

    /// JSON convenience: sends `body` as `application/json`.
    public func requestJSON(_ method: String, _ path: String, bearer: String? = nil,
                            json: String? = nil) async throws -> HTTPResponse {
        var h: [(String, String)] = []
        if let bearer { h.append(("Authorization", "Bearer \(bearer)")) }
        if json != nil { h.append(("Content-Type", "application/json")) }
        return try await request(method, path, headers: h, body: json.map { Array($0.utf8) })
    }

    private func release(_ conn: HTTP1Connection) {
        guard conn.isOpen, conn.isIdle else { conn.close(); return }
        let kept = idle.withLockedValue { list -> Bool in
            guard list.count < maxIdle else { return false }
            list.append(conn)
            return true
        }
        if !kept { conn.close() }
    }

    /// Idle pooled connections (tests check keep-alive reuse with it).
    var idleCount: Int { idle.withLockedValue { $0.count } }

    /// Closes the idle connections.
    public func shutdown() {
        let all = idle.withLockedValue { l -> [HTTP1Connection] in defer { l = [] }; return l }
        for c in all { c.close() }
    }
}

/// Whichever of response and timeout comes first completes the promise.
/// One request's parts, kept for a possible retry.
private struct PendingCall: Sendable {
    var method: HTTPMethod
    var path: String
    var headers: [(String, String)]
    var body: [UInt8]?
}
