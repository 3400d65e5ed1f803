import NIOCore
import StampedeContract

/// Live workflow updates for Swift apps — the counterpart of a frontend's
/// live-updates hook. Connect with a token, subscribe to workflows, iterate
/// their events; when the socket drops, the client reconnects with backoff,
/// resubscribes with `since` = the last seq it delivered (so nothing is
/// lost or repeated) and, meanwhile, polls the HTTP API.
///
/// ```swift
/// let client = try LiveUpdatesClient(url: "http://127.0.0.1:8080", token: jwt)
/// let card = try await client.startSearch("swift concurrency")
/// for try await update in client.subscribe(card.workflowID, since: 0) {
///     if case .nodeUpdate(let n) = update.payload { print(n.node, n.status) }
/// }
/// ```
///
/// Named `LiveUpdatesClient`, not after its module: a type called
/// `StampedeClient` would shadow the module and break `StampedeClient.X`.
public final class LiveUpdatesClient: Sendable {
    /// The engine, reached on its loop only (`core.value` checks it).
    let core: NIOLoopBoundBox<LiveUpdatesCore>
    /// What callers on any thread read, kept outside the box.
    private let broadcaster: StateBroadcaster
    private let options: StampedeClientOptions
    let tokenProvider: @Sendable () async throws -> String
    let http: HTTPClient

    public convenience init(url: String, token: String, options: StampedeClientOptions = .init()) throws {
        try self.init(url: url, options: options, tokenIsFixed: true) { token }
    }

    /// `tokenProvider` is asked before every connection attempt, so an
    /// expiring token can be refreshed; refusals are then retried.
    public convenience init(url: String, options: StampedeClientOptions = .init(),
                            tokenProvider: @escaping @Sendable () async throws -> String) throws {
        try self.init(url: url, options: options, tokenIsFixed: false, tokenProvider: tokenProvider)
    }

    private init(url: String, options: StampedeClientOptions, tokenIsFixed: Bool,
                 tokenProvider: @escaping @Sendable () async throws -> String) throws {
        let endpoint = try ServerEndpoint(url: url, trust: options.tlsTrust)
        let core = LiveUpdatesCore(endpoint: endpoint, options: options, tokenIsFixed: tokenIsFixed, tokenProvider: tokenProvider)
        self.broadcaster = core.states
        self.options = options
        self.tokenProvider = tokenProvider
        self.http = core.http
        let loop = core.loop
        self.core = .makeBoxSendingValue(core, eventLoop: loop)
    }

    /// The current connection state.
    public var state: ConnectionState { broadcaster.current }

    /// Every state change, starting with the current state.
    public var states: AsyncStream<ConnectionState> { broadcaster.stream() }

    /// Starts the connection and waits for the first CONNECT. Throws
    /// `unauthorized` when the token is refused, `timeout` after
    /// `options.connectTimeout` (the client keeps trying in the background).
    public func connect() async throws {
        let core = self.core
        core.eventLoop.execute { core.value.start() }
        let stream = broadcaster.stream()
        let connectTimeout = options.connectTimeout
        let outcome: Result<Void, StampedeClientError> = await withTaskGroup(of: Result<Void, StampedeClientError>?.self) { group in
            group.addTask {
                for await s in stream {
                    switch s {
                    case .connected: return .success(())
                    case .unauthorized(let c): return .failure(.unauthorized(c))
                    case .closed: return .failure(.closed)
                    default: continue
                    }
                }
                return .failure(.closed)
            }
            group.addTask {
                try? await Task.sleep(for: connectTimeout)
                return .failure(.timeout)
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .failure(.timeout)
        }
        try outcome.get()
    }

    /// The events of one workflow in seq order, ending after its terminal
    /// `workflow_status`. `since` replays retained events after that seq
    /// (0 = from the start); without it the stream starts with live events.
    /// Connects if `connect()` was not called yet.
    ///
    /// Any number of subscriptions to one workflow may be open at once;
    /// each gets every event from its own `since` on.
    ///
    /// Buffering: at most `bufferLimit` events (default
    /// `options.subscriptionBufferLimit`) wait for a consumer. One that
    /// falls further behind still receives every
    /// buffered event, then the stream throws
    /// `StampedeClientError.consumerTooSlow(workflowID:resumeSince:)`;
    /// subscribing again with that `since` continues without a gap (the
    /// server replays from its retained history). Nothing is dropped
    /// silently and memory stays bounded.
    public func subscribe(_ workflowID: String, since: Int64? = nil,
                          bufferLimit: Int? = nil) -> AsyncThrowingStream<WorkflowUpdate, Error> {
        let core = self.core
        let limit = max(1, bufferLimit ?? options.subscriptionBufferLimit)
        return AsyncThrowingStream(bufferingPolicy: .bufferingOldest(limit)) { cont in
            // The subscription is made on the loop; its stream's termination
            // handler (any thread) finds it through a box bound there.
            let handle = NIOLoopBoundBox<LiveUpdatesCore.Subscription?>.makeEmptyBox(eventLoop: core.eventLoop)
            cont.onTermination = { _ in
                core.eventLoop.execute { if let sub = handle.value { core.value.cancel(sub) } }
            }
            core.eventLoop.execute {
                let sub = LiveUpdatesCore.Subscription(workflowID: workflowID, since: since, continuation: cont)
                handle.value = sub
                core.value.start()  // subscribing is reason enough to connect, as in a UI hook
                core.value.subscribe(sub)
            }
        }
    }

    /// Closes the connection and ends every stream.
    public func close() async {
        let core = self.core
        try? await core.eventLoop.submit { core.value.close() }.get()
    }

    /// Kills the socket as a network failure would (tests, demos).
    func simulateConnectionLoss() async {
        let core = self.core
        try? await core.eventLoop.submit { core.value.dropConnection() }.get()
    }
}
