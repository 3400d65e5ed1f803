import NIOCore
import SocketIOWire
import StampedeContract
import StampedeJSON

/// The library's engine, confined to one event loop: it owns the current
/// `ClientConnection`, the subscriptions and their last seen `seq`, and
/// the reconnect/fallback schedule. Socket events and polled events both
/// pass through `deliver`, so deduplication by seq has one owner.
///
/// Not `Sendable`: the client holds it in a `NIOLoopBoundBox` (`boxed`), and
/// where work leaves the loop (the token provider's `Task`, the polling
/// fallback) it carries a `NIOLoopBound` back — every access checks the loop.
final class LiveUpdatesCore {
    typealias Continuation = AsyncThrowingStream<WorkflowUpdate, Error>.Continuation

    /// One consumer's stream of one workflow. Each has its own position, so
    /// several subscriptions to a workflow each get every event once.
    /// Created and touched on the core's loop only (the client makes it
    /// there; its stream's termination handler holds it loop-bound).
    final class Subscription {
        let workflowID: String
        /// The highest seq handed to this consumer (or the baseline the
        /// server reported).
        var lastSeq: Int64
        /// Whether `lastSeq` is meaningful as `since` (an explicit `since`,
        /// a delivered event, or the subscribe ack's latest seq).
        var hasBaseline: Bool
        /// Joined a running feed with an older `since`: its replay is on the way, so a live event
        /// ahead of `lastSeq + 1` is not for it yet (taking it would make the replay look like
        /// duplicates and lose what lies between). Cleared by the first event it takes, or by a
        /// subscribe ack saying the history no longer reaches back that far.
        var awaitingReplay = false
        let continuation: Continuation

        init(workflowID: String, since: Int64?, continuation: Continuation) {
            self.workflowID = workflowID
            self.lastSeq = since ?? 0
            self.hasBaseline = since != nil
            self.continuation = continuation
        }
    }

    /// The consumers of one workflow behind the socket's single
    /// subscription to it (the server subscribes a socket once per workflow).
    final class Feed {
        var consumers: [Subscription] = []

        /// What the socket subscription asks for: the oldest consumer's
        /// position, so a late consumer with an older `since` is replayed
        /// too (the others drop what they already have by seq).
        var since: Int64? {
            let known = consumers.filter(\.hasBaseline).map(\.lastSeq)
            return known.min()
        }
    }

    let loop: EventLoop
    let endpoint: ServerEndpoint
    let options: StampedeClientOptions
    let tokenProvider: @Sendable () async throws -> String
    let tokenIsFixed: Bool
    let http: HTTPClient
    let states = StateBroadcaster()

    var connection: ClientConnection?
    var token: String?
    var attempt = 0
    var started = false
    var userClosed = false
    var lastRefusal: AuthFailureCode?
    var reconnectTimer: Scheduled<Void>?
    var pollTask: Task<Void, Never>?
    var feeds: [String: Feed] = [:]

    init(endpoint: ServerEndpoint, options: StampedeClientOptions, tokenIsFixed: Bool,
         tokenProvider: @escaping @Sendable () async throws -> String) {
        self.endpoint = endpoint
        self.options = options
        self.tokenIsFixed = tokenIsFixed
        self.tokenProvider = tokenProvider
        self.loop = options.eventLoopGroup.next()
        self.http = HTTPClient(endpoint: endpoint, eventLoopGroup: options.eventLoopGroup, timeout: .nanoseconds(Int64(options.requestTimeout.seconds * 1e9)))
    }

    /// A new core, moved into a box bound to its loop (callable from any
    /// thread: nothing else holds the core).
    static func boxed(endpoint: ServerEndpoint, options: StampedeClientOptions, tokenIsFixed: Bool,
                      tokenProvider: @escaping @Sendable () async throws -> String) -> NIOLoopBoundBox<LiveUpdatesCore> {
        let core = LiveUpdatesCore(endpoint: endpoint, options: options, tokenIsFixed: tokenIsFixed, tokenProvider: tokenProvider)
        let loop = core.loop
        return .makeBoxSendingValue(core, eventLoop: loop)
    }

    /// This core, for a closure that leaves the loop and comes back (on the loop).
    var bound: NIOLoopBound<LiveUpdatesCore> { NIOLoopBound(self, eventLoop: loop) }

    // MARK: connecting

    func start() {
        guard !started, !userClosed else { return }
        started = true
        states.set(.connecting)
        attemptConnect()
    }

    private func attemptConnect() {
        guard !userClosed else { return }
        let provider = tokenProvider
        let core = bound
        Task {
            let result: Result<String, Error>
            do { result = .success(try await provider()) } catch { result = .failure(error) }
            core.eventLoop.execute {
                let core = core.value
                switch result {
                case .success(let t):
                    core.token = t
                    core.openConnection(token: t)
                case .failure:
                    core.scheduleReconnect()
                }
            }
        }
    }

    private func openConnection(token: String) {
        guard !userClosed else { return }
        lastRefusal = nil
        let o = ClientOptions(endpoint: endpoint, transport: options.transport, auth: ["token": .string(token)],
                              connectTimeout: TimeAmount.nanoseconds(Int64(options.connectTimeout.seconds * 1e9)))
        connection = ClientConnection.connect(o, on: loop, delegate: self)
    }

    func scheduleReconnect() {
        guard !userClosed else { return }
        attempt += 1
        let delay = options.backoff.delay(attempt: attempt - 1)
        states.set(.reconnecting(attempt: attempt, delay: delay))
        reconnectTimer?.cancel()
        reconnectTimer = loop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(delay.seconds * 1e9))) { [self] in attemptConnect() }
        startPollingFallback()
    }

    /// Test hook: the network dies under the client.
    func dropConnection() {
        connection?.close(.abrupt)
    }

    func close() {
        guard !userClosed else { return }
        userClosed = true
        reconnectTimer?.cancel()
        stopPollingFallback()
        connection?.close(.clean)
        connection = nil
        let ended = feeds.values.flatMap(\.consumers)
        feeds = [:]
        for s in ended { s.continuation.finish() }
        states.set(.closed)
        states.finishAll()
        http.shutdown()
    }

    // MARK: subscriptions

    func subscribe(_ sub: Subscription) {
        guard !userClosed else {
            sub.continuation.finish(throwing: StampedeClientError.closed)
            return
        }
        guard WorkflowID.isValid(sub.workflowID) else {
            sub.continuation.finish(throwing: StampedeClientError.invalidWorkflowID(sub.workflowID))
            return
        }
        let id = sub.workflowID
        guard let feed = feeds[id] else {
            let feed = Feed()
            feed.consumers = [sub]
            feeds[id] = feed
            if connection?.isConnected == true { sendSubscribe(feed, id) }
            if case .reconnecting = states.current { startPollingFallback() }
            return
        }
        // A live-only consumer joining a running feed starts where the feed is.
        if !sub.hasBaseline, let position = feed.consumers.filter(\.hasBaseline).map(\.lastSeq).max() {
            sub.lastSeq = position
            sub.hasBaseline = true
        }
        let needsReplay = sub.hasBaseline && sub.lastSeq < (feed.since ?? .max)
        sub.awaitingReplay = needsReplay
        feed.consumers.append(sub)
        guard needsReplay, connection?.isConnected == true else { return }
        // The server never replays twice to one socket subscription: drop it
        // and subscribe again from the new consumer's `since`. Both requests
        // go in order on one socket, so no event falls between them.
        connection?.emit(RequestName.unsubscribe, [["workflow_id": .string(id)]], ack: nil)
        sendSubscribe(feed, id)
    }

    func sendSubscribe(_ feed: Feed, _ workflowID: String) {
        var req: JSONObject = ["workflow_id": .string(workflowID)]
        if let since = feed.since { req["since"] = .int(since) }
        connection?.emit(RequestName.subscribe, [.object(req)]) { [self] result in
            guard feeds[workflowID] === feed else { return }
            guard case .success(let args) = result, let reply = args.first else { return }  // resent on reconnect
            if reply["ok"] == true {
                // A truncated replay starts past some consumers' positions: that gap is the
                // server's answer (the history is gone), not an event ahead of a replay.
                if reply["truncated"]?.boolValue == true { for sub in feed.consumers { sub.awaitingReplay = false } }
                if let latest = reply["seq"]?.intValue {
                    for sub in feed.consumers where !sub.hasBaseline {
                        sub.lastSeq = max(sub.lastSeq, latest)
                        sub.hasBaseline = true
                    }
                }
            } else {
                let code = reply["error"]?["code"]?.stringValue ?? "unknown"
                let message = reply["error"]?["message"]?.stringValue ?? ""
                end(workflowID, throwing: StampedeClientError.subscribeRefused(code: code, message: message))
            }
        }
    }

    /// The consumer stopped iterating (or its stream ended).
    func cancel(_ sub: Subscription) {
        guard let feed = feeds[sub.workflowID], let i = feed.consumers.firstIndex(where: { $0 === sub }) else { return }
        feed.consumers.remove(at: i)
        guard feed.consumers.isEmpty else { return }
        feeds[sub.workflowID] = nil
        connection?.emit(RequestName.unsubscribe, [["workflow_id": .string(sub.workflowID)]], ack: nil)
    }

    /// The one door events pass: to each consumer in seq order, without
    /// duplicates; every stream ends after a terminal workflow_status.
    func deliver(_ event: WorkflowEvent) {
        guard let feed = feeds[event.workflowID] else { return }
        var update: WorkflowUpdate?
        for sub in feed.consumers where event.seq > sub.lastSeq || !sub.hasBaseline {
            if sub.awaitingReplay && sub.hasBaseline && event.seq > sub.lastSeq + 1 { continue }
            sub.awaitingReplay = false
            let u = update ?? WorkflowUpdate(event)
            update = u
            switch sub.continuation.yield(u) {
            case .enqueued, .terminated:
                sub.lastSeq = event.seq
                sub.hasBaseline = true
            case .dropped:
                // Bounded buffer full: the consumer keeps everything up to
                // `lastSeq`, then learns where to resume (see `subscribe`).
                cancel(sub)
                sub.continuation.finish(throwing: StampedeClientError.consumerTooSlow(workflowID: event.workflowID,
                                                                                      resumeSince: sub.lastSeq))
            @unknown default:
                break
            }
        }
        guard event.body.workflowStatus?.isTerminal == true else { return }
        // The workflow ended: every stream ends after it — except a late consumer still waiting
        // for its replay, which ends when the replay brings it the terminal event in turn.
        let waiting = feed.consumers.filter { $0.awaitingReplay && $0.lastSeq < event.seq }
        guard !waiting.isEmpty else { return end(event.workflowID, throwing: nil) }
        for sub in feed.consumers where !waiting.contains(where: { $0 === sub }) { sub.continuation.finish() }
        feed.consumers = waiting
    }

    /// Ends every consumer of a workflow and the socket subscription.
    func end(_ workflowID: String, throwing error: Error?) {
        guard let feed = feeds.removeValue(forKey: workflowID) else { return }
        for sub in feed.consumers { sub.continuation.finish(throwing: error) }
        connection?.emit(RequestName.unsubscribe, [["workflow_id": .string(workflowID)]], ack: nil)
    }

    func failAll(_ error: Error) {
        let ended = feeds.values.flatMap(\.consumers)
        feeds = [:]
        for s in ended { s.continuation.finish(throwing: error) }
    }
}

extension LiveUpdatesCore: ClientConnectionDelegate {
    func connectionDidConnect(_ c: ClientConnection, sid: String, pid: String?) {
        guard c === connection else { return }
        attempt = 0
        reconnectTimer?.cancel()
        stopPollingFallback()
        states.set(.connected(sid: sid))
        for (id, feed) in feeds { sendSubscribe(feed, id) }
    }

    func connectionDidFailToConnect(_ c: ClientConnection, error: JSONValue) {
        lastRefusal = AuthFailureCode(connectErrorPayload: error)
    }

    func connection(_ c: ClientConnection, didReceive event: ReceivedEvent) {
        // Seq is scanned without a JSON tree: an event every consumer already
        // has (a replay after a late subscriber's resubscribe) is never parsed.
        guard let wf = event.workflowID, let feed = feeds[wf], let seq = event.seq,
              feed.consumers.contains(where: { seq > $0.lastSeq || !$0.hasBaseline }),
              let typed = event.workflowEvent else { return }
        deliver(typed)
    }

    func connectionDidClose(_ c: ClientConnection, reason: ClientCloseReason) {
        guard c === connection else { return }
        connection = nil
        guard !userClosed else { return }
        if reason == .connectRefused, tokenIsFixed, lastRefusal != .tooManyConnections {
            states.set(.unauthorized(lastRefusal))
            stopPollingFallback()
            failAll(StampedeClientError.unauthorized(lastRefusal))
            return
        }
        scheduleReconnect()
    }
}
