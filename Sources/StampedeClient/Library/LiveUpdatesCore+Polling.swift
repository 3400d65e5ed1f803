import NIOCore
import StampedeContract
import StampedeJSON

/// The fallback of a frontend that lost its socket: poll each subscribed
/// workflow's card (`GET /api/v1/workflows/{id}`) and hand over the
/// retained events past the last seen seq, until the socket is back.
extension LiveUpdatesCore {
    func startPollingFallback() {
        guard options.pollingFallback, pollTask == nil, !feeds.isEmpty, !userClosed else { return }
        let interval = options.pollInterval
        let core = bound
        let http = self.http
        pollTask = Task { await LiveUpdatesCore.poll(core: core, http: http, every: interval) }
    }

    /// Off the loop: the core is reached back through its loop-bound handle.
    private static func poll(core: NIOLoopBound<LiveUpdatesCore>, http: HTTPClient, every interval: Duration) async {
        while !Task.isCancelled {
            let ids = (try? await core.eventLoop.submit { Array(core.value.feeds.keys) }.get()) ?? []
            for id in ids {
                guard !Task.isCancelled else { return }
                await pollOnce(id, core: core, http: http)
            }
            try? await Task.sleep(for: interval)
        }
    }

    func stopPollingFallback() {
        pollTask?.cancel()
        pollTask = nil
    }

    private static func pollOnce(_ workflowID: String, core: NIOLoopBound<LiveUpdatesCore>, http: HTTPClient) async {
        guard let token = try? await core.eventLoop.submit({ core.value.token }).get() else { return }
        guard let r = try? await http.request("GET", "/api/v1/workflows/\(workflowID)",
                                              headers: [("Authorization", "Bearer \(token)")]) else { return }
        if r.status == 404 || r.status == 403 {
            let code = r.status == 404 ? RequestErrorCode.notFound.rawValue : RequestErrorCode.forbidden.rawValue
            core.eventLoop.execute {
                core.value.end(workflowID, throwing: StampedeClientError.subscribeRefused(code: code, message: "HTTP \(r.status)"))
            }
            return
        }
        guard r.status == 200, let card = try? r.json(), let list = card["events"]?.arrayValue else { return }
        let events = list.compactMap(Self.event(fromAPI:)).sorted { $0.seq < $1.seq }
        core.eventLoop.execute {
            let core = core.value
            guard !(core.connection?.isConnected ?? false) else { return }  // the socket is back and owns delivery
            for e in events { core.deliver(e) }
        }
    }

    /// The HTTP API lists events with their type under `type`.
    static func event(fromAPI v: JSONValue) -> WorkflowEvent? {
        guard var o = v.objectValue, let type = o["type"]?.stringValue else { return nil }
        o["type"] = nil
        return WorkflowEvent(name: type, argument: .object(o))
    }
}
