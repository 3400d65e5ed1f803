import NIOCore
import NIOPosix

/// Knobs of the async client library; the defaults suit a UI.
public struct StampedeClientOptions: Sendable {
    public var transport: ClientTransport = .websocket
    public var backoff = ReconnectBackoff()
    /// Poll `GET /api/v1/workflows/{id}` while sockets are down.
    public var pollingFallback = true
    public var pollInterval: Duration = .seconds(1)
    /// How long `connect()` waits for the first connection.
    public var connectTimeout: Duration = .seconds(10)
    public var tlsTrust: ClientTLSTrust = .system
    /// Events a subscription holds for a consumer that has not read them
    /// yet; past it the stream ends with `consumerTooSlow` (see
    /// `LiveUpdatesClient.subscribe`).
    public var subscriptionBufferLimit = 1000
    /// Timeout of each HTTP API call and polling request.
    public var requestTimeout: Duration = .seconds(10)
    /// The loops the connection and HTTP requests run on.
    public var eventLoopGroup: EventLoopGroup = MultiThreadedEventLoopGroup.singleton

    public init() {}
}
