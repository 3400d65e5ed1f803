import NIOCore
import NIOHTTP1
import SocketIOWire

/// Engine.IO over HTTP long-polling: one connection for the GET loop, one
/// for POSTs, so a GET parked on the server never holds up a send. With
/// `upgrade`, it probes a WebSocket once the session is open and hands the
/// session over to it (2probe → 3probe → 5), then retires the polling pair.
/// Loop-confined and not `Sendable`: its connections' callbacks run on the loop and its
/// connect future is read through `assumeIsolated()`.
final class PollingTransport: EngineTransport, TransportSink {
    private(set) var kind = EngineIOTransport.polling
    private let options: ClientOptions
    private let eventLoop: EventLoop
    private let upgrade: Bool
    private var sink: TransportSink?
    private var getConnection: HTTP1Connection?
    private var postConnection: HTTP1Connection?
    private var sid: String?
    private var closed = false
    private var queue: [String] = []
    private var posting = false
    private var reading = true
    /// The GET loop parks here while reading is paused.
    private var getParked = false
    private var probe: WebSocketTransport?
    private var probeAnswered = false
    /// The GET parked at the time of `3probe` has returned.
    private var getReleased = false
    /// After `5`: everything goes over the WebSocket.
    private var upgraded: WebSocketTransport?

    init(options: ClientOptions, eventLoop: EventLoop, sink: TransportSink, upgrade: Bool) {
        self.options = options
        self.eventLoop = eventLoop
        self.sink = sink
        self.upgrade = upgrade
    }

    private func uri() -> String { EngineIOURL.target(transport: .polling, sid: sid, extra: options.query) }

    func start() {
        let ep = options.endpoint, local = options.localAddress, ports = options.sourcePorts, t = options.connectTimeout
        HTTP1Connection.connect(ep, localAddress: local, ports: ports, on: eventLoop, timeout: t)
            .and(HTTP1Connection.connect(ep, localAddress: local, ports: ports, on: eventLoop, timeout: t))
            .assumeIsolated().whenComplete { [self] result in
                switch result {
                case .success(let (get, post)):
                    if closed { get.close(); post.close(); return }
                    getConnection = get
                    postConnection = post
                    poll()
                case .failure(let e):
                    fail(.error("\(e)"))
                }
            }
    }

    // MARK: GET loop

    private func poll() {
        guard !closed, upgraded == nil, let get = getConnection else { return }
        guard reading else { getParked = true; return }
        get.request(.GET, uri(), headers: options.headers, body: nil) { [self] result in
            switch result {
            case .success(let r):
                guard r.status == 200 else {
                    fail(r.status == 400 && sid != nil ? .closedByServer : .error("polling GET \(r.status): \(r.text.prefix(120))"))
                    return
                }
                deliver(r.body)
                if probeAnswered {
                    getReleased = true
                    tryFinishUpgrade()
                    return
                }
                poll()
            case .failure(let e):
                fail(.error("polling GET: \(e)"))
            }
        }
    }

    private func deliver(_ body: [UInt8]) {
        PollingRecords.forEach(in: body) { record in
            guard !closed else { return false }
            let first = record.getInteger(at: record.readerIndex, as: UInt8.self)
            if first == UInt8(ascii: "b") { return true }  // binary: outside the contract
            if sid == nil, first == UInt8(ascii: "0"),
               let open = try? EngineIOOpenPayload(parsing: String(buffer: record.getSlice(at: record.readerIndex + 1, length: record.readableBytes - 1)!)) {
                sid = open.sid
                sink?.transportDidReceive(record)
                if upgrade, open.upgrades.contains("websocket") { startProbe() }
                return true
            }
            if record.readableBytes == 1, first == UInt8(ascii: "6") { return true }  // noop: the server releasing our GET for the upgrade
            sink?.transportDidReceive(record)
            return true
        }
    }

    // MARK: sending

    func send(_ text: String) {
        guard !closed else { return }
        if let ws = upgraded { ws.send(text); return }
        queue.append(text)
        flushQueue()
    }

    private func flushQueue() {
        // After `3probe` sends wait for the WebSocket: a POST that reached
        // the server after our `5` would be refused (polling on an upgraded session).
        guard !posting, !probeAnswered, !queue.isEmpty, let post = postConnection, upgraded == nil else { return }
        posting = true
        let body = Self.payload(queue)
        queue.removeAll(keepingCapacity: true)
        post.request(.POST, uri(), headers: options.headers + [("Content-Type", "text/plain;charset=UTF-8")],
                     body: body) { [self] result in
            posting = false
            switch result {
            case .success(let r) where r.status == 200:
                if probeAnswered { tryFinishUpgrade() } else { flushQueue() }
            case .success(let r):
                fail(.error("polling POST \(r.status): \(r.text.prefix(120))"))
            case .failure(let e):
                fail(.error("polling POST: \(e)"))
            }
        }
    }

    /// Queued packets are already `<digit><data>` texts (the contract sends
    /// no binary), so the polling body is just them joined by 0x1E.
    static func payload(_ packets: [String]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(packets.reduce(packets.count) { $0 + $1.utf8.count })
        for (i, p) in packets.enumerated() {
            if i > 0 { out.append(PollingPayload.separator) }
            out.append(contentsOf: p.utf8)
        }
        return out
    }

    // MARK: upgrade

    private func startProbe() {
        let ws = WebSocketTransport(options: options, sid: sid, eventLoop: eventLoop, sink: self)
        probe = ws
        ws.start()
        ws.send("2probe")
    }

    /// What arrives on the probe WebSocket before and after the switch.
    func transportDidReceive(_ packet: ByteBuffer) {
        if upgraded != nil { sink?.transportDidReceive(packet); return }
        if packet.readableBytesView.elementsEqual("3probe".utf8), !probeAnswered {
            probeAnswered = true
            // The server now answers our parked GET with `6`; the GET loop
            // sees `probeAnswered` and completes the switch.
            return
        }
        if probeAnswered {
            sink?.transportDidReceive(packet)  // early data on the new transport
        }
    }

    /// The switch happens once polling is quiet: the parked GET came back
    /// (`6`) and no POST is in flight — the reference client's "pause".
    private func tryFinishUpgrade() {
        guard probeAnswered, getReleased, !posting, let ws = probe, upgraded == nil else { return }
        upgraded = ws
        probe = nil
        kind = .websocket
        ws.send("5")
        for t in queue { ws.send(t) }
        queue = []
        getConnection?.close()
        postConnection?.close()
        getConnection = nil
        postConnection = nil
    }

    func transportDidClose(_ reason: ClientCloseReason) {
        if upgraded != nil { fail(reason); return }
        probe = nil  // a failed probe leaves the session on polling
        let wasPaused = probeAnswered
        probeAnswered = false
        if wasPaused {
            if getReleased { poll() }
            getReleased = false
            flushQueue()
        }
    }

    // MARK: closing

    private func fail(_ reason: ClientCloseReason) {
        guard !closed else { return }
        closeAll(abrupt: false)
        let s = sink
        sink = nil
        s?.transportDidClose(reason)
    }

    func close(_ mode: TransportCloseMode) {
        guard !closed else { return }
        if mode == .graceful, upgraded == nil, !queue.isEmpty, let post = postConnection {
            // Deliver the goodbye (`41`, `1`) before letting go.
            let body = Self.payload(queue)
            queue = []
            let get = getConnection
            post.request(.POST, uri(), headers: options.headers, body: body) { _ in
                post.close()
                get?.close()
            }
            closed = true
            sink = nil
            getConnection = nil
            postConnection = nil
            return
        }
        sink = nil
        closeAll(abrupt: mode == .abrupt)
    }

    private func closeAll(abrupt: Bool) {
        closed = true
        getConnection?.close(abrupt: abrupt)
        postConnection?.close(abrupt: abrupt)
        getConnection = nil
        postConnection = nil
        probe?.close(abrupt ? .abrupt : .graceful)
        upgraded?.close(abrupt ? .abrupt : .graceful)
        probe = nil
        upgraded = nil
    }

    func setReading(_ on: Bool) {
        if let ws = upgraded { ws.setReading(on); return }
        reading = on
        getConnection?.setReading(on)
        if on, getParked {
            getParked = false
            poll()
        }
    }
}

/// A polling body's Engine.IO packets (0x1E-separated) as slices of one buffer: one copy per
/// GET, none per packet, so each reaches the state machine as a WebSocket frame's payload does.
enum PollingRecords {
    /// Calls `visit` with each non-empty record in order, until it returns false.
    static func forEach(in body: [UInt8], _ visit: (ByteBuffer) -> Bool) {
        let all = ByteBuffer(bytes: body)
        var start = 0
        while start < body.count {
            let end = body[start...].firstIndex(of: PollingPayload.separator) ?? body.count
            if end > start, !visit(all.getSlice(at: start, length: end - start)!) { return }
            start = end + 1
        }
    }
}
