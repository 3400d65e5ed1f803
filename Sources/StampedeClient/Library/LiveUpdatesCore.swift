import NIOCore
import SocketIOWire
import StampedeContract
import StampedeJSON

/// The library's engine, confined to one event loop: it owns the current
/// `ClientConnection`, the subscriptions and their last seen `seq`, and
/// the reconnect/fallback schedule. Socket events and polled events both
/// pass through `deliver`, so deduplication by seq has one owner.
final class LiveUpdatesCore: @unchecked Sendable {
    typealias Continuation = AsyncThrowingStream<WorkflowEvent, Error>.Continuation

    final class Subscription {
        let workflowID: String
        /// The highest seq handed to the consumer (or the baseline the
        /// server reported); resubscribes ask for `since` = this.
        var lastSeq: Int64
        /// Whether `lastSeq` is meaningful as `since` (an explicit `since`,
        /// a delivered event, or the subscribe ack's latest seq).
        var hasBaseline: Bool
        let continuation: Continuation

        init(workflowID: String, since: Int64?, continuation: Continuation) {
            self.workflowID = workflowID
            self.lastSeq = since ?? 0
            self.hasBaseline = since != nil
            self.continuation = continuation
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
    var subscriptions: [String: Subscription] = [:]

    init(endpoint: ServerEndpoint, options: StampedeClientOptions, tokenIsFixed: Bool,
         tokenProvider: @escaping @Sendable () async throws -> String) {
        self.endpoint = endpoint
        self.options = options
        self.tokenIsFixed = tokenIsFixed
        self.tokenProvider = tokenProvider
        self.loop = options.eventLoopGroup.next()
        self.http = HTTPClient(endpoint: endpoint, eventLoopGroup: options.eventLoopGroup, timeout: .seconds(10))
    }

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
        Task { [self] in
            let result: Result<String, Error>
            do { result = .success(try await provider()) } catch { result = .failure(error) }
            loop.execute { [self] in
                switch result {
                case .success(let t):
                    token = t
                    openConnection(token: t)
                case .failure:
                    scheduleReconnect()
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
        reconnectTimer = loop.scheduleTask(in: .nanoseconds(Int64(delay.seconds * 1e9))) { [self] in attemptConnect() }
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
        let subs = subscriptions.values
        subscriptions = [:]
        for s in subs { s.continuation.finish() }
        states.set(.closed)
        states.finishAll()
        http.shutdown()
    }

    // MARK: subscriptions

    func subscribe(_ workflowID: String, since: Int64?, continuation: Continuation) {
        guard !userClosed else {
            continuation.finish(throwing: StampedeClientError.closed)
            return
        }
        guard WorkflowID.isValid(workflowID) else {
            continuation.finish(throwing: StampedeClientError.invalidWorkflowID(workflowID))
            return
        }
        subscriptions[workflowID]?.continuation.finish()
        let sub = Subscription(workflowID: workflowID, since: since, continuation: continuation)
        subscriptions[workflowID] = sub
        if connection?.isConnected == true { sendSubscribe(sub) }
        if case .reconnecting = states.current { startPollingFallback() }
    }

    func sendSubscribe(_ sub: Subscription) {
        var req: JSONObject = ["workflow_id": .string(sub.workflowID)]
        if sub.hasBaseline { req["since"] = .int(sub.lastSeq) }
        connection?.emit(RequestName.subscribe, [.object(req)]) { [self] result in
            guard subscriptions[sub.workflowID] === sub else { return }
            guard case .success(let args) = result, let reply = args.first else { return }  // resent on reconnect
            if reply["ok"] == true {
                if !sub.hasBaseline, let latest = reply["seq"]?.intValue {
                    sub.lastSeq = max(sub.lastSeq, latest)
                    sub.hasBaseline = true
                }
            } else {
                let code = reply["error"]?["code"]?.stringValue ?? "unknown"
                let message = reply["error"]?["message"]?.stringValue ?? ""
                subscriptions[sub.workflowID] = nil
                sub.continuation.finish(throwing: StampedeClientError.subscribeRefused(code: code, message: message))
            }
        }
    }

    /// The consumer stopped iterating.
    func cancel(_ sub: Subscription) {
        guard subscriptions[sub.workflowID] === sub else { return }
        subscriptions[sub.workflowID] = nil
        connection?.emit(RequestName.unsubscribe, [["workflow_id": .string(sub.workflowID)]], ack: nil)
    }

    /// The one door events pass: in seq order, no duplicates, and the
    /// stream ends after a terminal workflow_status.
    func deliver(_ event: WorkflowEvent) {
        guard let sub = subscriptions[event.workflowID], event.seq > sub.lastSeq || !sub.hasBaseline else { return }
        sub.lastSeq = event.seq
        sub.hasBaseline = true
        sub.continuation.yield(event)
        if event.body.workflowStatus?.isTerminal == true {
            subscriptions[event.workflowID] = nil
            sub.continuation.finish()
            connection?.emit(RequestName.unsubscribe, [["workflow_id": .string(event.workflowID)]], ack: nil)
        }
    }

    func failAll(_ error: Error) {
        let subs = subscriptions.values
        subscriptions = [:]
        for s in subs { s.continuation.finish(throwing: error) }
    }
}

extension LiveUpdatesCore: ClientConnectionDelegate {
    func connectionDidConnect(_ c: ClientConnection, sid: String, pid: String?) {
        guard c === connection else { return }
        attempt = 0
        reconnectTimer?.cancel()
        stopPollingFallback()
        states.set(.connected(sid: sid))
        for sub in subscriptions.values { sendSubscribe(sub) }
    }

    func connectionDidFailToConnect(_ c: ClientConnection, error: JSONValue) {
        lastRefusal = AuthFailureCode(connectErrorPayload: error)
    }

    func connection(_ c: ClientConnection, didReceive event: ReceivedEvent) {
        guard let wf = event.workflowID, let sub = subscriptions[wf], let seq = event.seq,
              seq > sub.lastSeq || !sub.hasBaseline, let typed = event.workflowEvent else { return }
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
