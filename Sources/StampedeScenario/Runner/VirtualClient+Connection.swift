import NIOCore
import SocketIOWire
import StampedeClient
import StampedeJSON

/// Connect, disconnect, reconnect, and the connection's life callbacks.
extension VirtualClient: ClientConnectionDelegate {
    func connect(_ s: ConnectStep, recovery: (pid: String, offset: String)?) {
        connectStep = s
        let token = ctx.tokens.token(s.token, userIndex: userIndex)
        var opts = ClientOptions(endpoint: ctx.node(forClient: index + reconnects).endpoint, transport: ClientTransport(rawValue: s.transport.rawValue) ?? .websocket)
        switch s.placement {
        case .auth: opts.auth = token.map { ["token": .string($0)] } ?? .object([:])
        case .header: if let token { opts.headers = [("Authorization", "Bearer \(token)")] }
        case .query: if let token { opts.query = ["token": token] }
        }
        if !ctx.localAddresses.isEmpty { opts.localAddress = ctx.localAddresses[index % ctx.localAddresses.count] }
        // Thousands of connections per source address: past ~14,000 the kernel's own port
        // choice costs ~1.2 ms per connect (SourcePorts says why).
        opts.sourcePorts = SourcePorts.shared
        opts.recovery = recovery
        opts.connectTimeout = .microseconds(Int64(s.timeout * 1_000_000))
        let now = EngineClock.monotonicMicros()
        connectStartMicros = (!firstConnectDone ? intendedStartMicros : nil).map { min($0, now) } ?? now
        firstConnectDone = true
        connectedAs = s.token == .service ? "stampede-publisher" : userID
        closingOnPurpose = false
        waiter = .connect
        rec.count("connect.attempts")
        armTimeout(s.timeout + 1, code: "connect_timeout")
        connection = ClientConnection.connect(opts, on: loop, delegate: self)
    }

    func connectionDidOpen(_ c: ClientConnection, handshake: EngineIOOpenPayload) {
        guard c === connection else { return }
        let now = EngineClock.monotonicMicros()
        rec.record(MetricName.connect, micros: now &- connectStartMicros)
        openMicros = now
        heartbeat.opened(at: now, pingIntervalMillis: handshake.pingInterval)
    }

    func connectionDidConnect(_ c: ClientConnection, sid: String, pid: String?) {
        guard c === connection, !finished else { return }
        let now = EngineClock.monotonicMicros()
        rec.record(MetricName.auth, micros: now &- (openMicros == 0 ? connectStartMicros : openMicros))
        let recovered = pid != nil && pid == self.pid
        self.pid = pid
        if let user = connectedAs { rec.userConnected(user, 1); countedUser = user }
        if let expected = connectStep.expectedRefusal {
            judge(.authRejected, RefusalChecks.authRefusal(expected: expected, seen: nil, sid: sid))
            rec.error("auth_accepted_bad_token")
            end(replace: false)
            return
        }
        if case .reconnect(let r) = steps[pc] { resumeAfterReconnect(r, recovered: recovered) } else { advance() }
    }

    func connectionDidFailToConnect(_ c: ClientConnection, error: JSONValue) {
        guard c === connection, !finished else { return }
        let code = error["data"]?["code"]?.stringValue ?? error["message"]?.stringValue ?? "unknown"
        connection = nil
        if let expected = connectStep.expectedRefusal {
            let judgement = RefusalChecks.authRefusal(expected: expected, seen: code)
            judge(.authRejected, judgement)
            if case .violated = judgement { rec.error("auth_wrong_code") }
            // A refused session has nothing left to do on this socket; later steps still run (e.g. think).
            advance()
        } else {
            rec.count("connect.failures")
            fail("connect_error:\(code)")
        }
    }

    func connectionDidReceivePing(_ c: ClientConnection) {
        guard c === connection, ctx.checks.contains(.heartbeat) else { return }
        judge(.heartbeat, heartbeat.ping(at: EngineClock.monotonicMicros()).judgement)
    }

    func connectionDidClose(_ c: ClientConnection, reason: ClientCloseReason) {
        if let silent = silentConnection, c === silent {
            // The server noticed the silent client at last: now the stats may drop it.
            if let user = silentUser { rec.userConnected(user, -1) }
            for w in silentCounted { rec.workflowSubscribed(w, -1) }
            silentConnection = nil
            silentUser = nil
            silentCounted = []
            return
        }
        guard c === connection else { return }
        connection = nil
        if let user = countedUser { rec.userConnected(user, -1); countedUser = nil }
        for w in counted { rec.workflowSubscribed(w, -1) }
        counted.removeAll()
        let held = isolation.disconnected()
        if !held.isEmpty { resumeSet = held }
        openMicros = 0
        guard !finished, !closingOnPurpose else { return }
        if case .slowConsumer = waiter {
            // Contract §5.6: cut off instead of buffering without bound; `reconnect` may follow.
            rec.observed(.slowConsumerBounded)
            rec.count("slow_consumer.disconnects")
            advance()
            return
        }
        if spam != nil {
            rec.count("rate_limit.disconnects")
            end(replace: false)
            return
        }
        if case .connect = waiter {
            rec.count("connect.failures")
            fail("connect_failed:\(Self.describe(reason))")
            return
        }
        rec.count("unexpected_disconnects")
        fail("disconnected:\(Self.describe(reason))")
    }

    static func describe(_ r: ClientCloseReason) -> String {
        switch r {
        case .closedByClient: "closed_by_client"
        case .closedByServer: "closed_by_server"
        case .connectRefused: "connect_refused"
        case .transportClosed: "transport_closed"
        case .pingTimeout: "ping_timeout"
        case .connectTimeout: "connect_timeout"
        case .error(let e): "error(\(e.prefix(60)))"
        }
    }

    func disconnect(_ mode: DisconnectMode) {
        guard let c = connection else { advance(); return }
        pid = c.pid ?? pid
        lastOffset = c.lastOffset ?? lastOffset
        resumeSet = isolation.subscribed
        closingOnPurpose = true
        switch mode {
        case .clean: c.close(.clean)
        case .abrupt: c.close(.abrupt)
        case .silent: c.close(.silent)
        }
        if mode != .silent {
            // Clean and abrupt closes end the socket now; a silent one lives on until the server's heartbeat drops it.
            connectionDidCloseIfStillOpen(c)
        } else {
            silentConnection = c
            silentUser = countedUser
            silentCounted = counted
            countedUser = nil
            counted.removeAll()
            _ = isolation.disconnected()
            connection = nil
        }
        advance()
    }

    private func connectionDidCloseIfStillOpen(_ c: ClientConnection) {
        guard c === connection else { return }
        connectionDidClose(c, reason: .closedByClient)
    }

    /// Stops reading for `seconds` while publishers keep writing, then reads again: a server that
    /// bounds its queue has cut the socket off by then, and the close shows once the kernel
    /// buffers drain (an unread socket cannot see the FIN). 5 s more to see it.
    func pauseReading(_ seconds: Double) {
        guard let c = connection else { advance(); return }
        pid = c.pid ?? pid
        lastOffset = c.lastOffset ?? lastOffset
        c.setReading(false)
        waiter = .slowConsumer
        let token = stepToken
        timer = loop.assumeIsolated().scheduleTask(in: .microseconds(Int64(seconds * 1_000_000))) { [self] in
            guard token == stepToken, !finished else { return }
            connection?.setReading(true)
            timer = loop.assumeIsolated().scheduleTask(in: .seconds(5)) { [self] in
                guard token == stepToken, !finished else { return }
                judge(.slowConsumerBounded, .violated(expected: "disconnected as a slow consumer after \(DurationText.format(seconds)) unread",
                                                      seen: "still connected"))
                advance()
            }
        }
    }

    func reconnect(_ r: ReconnectStep) {
        reconnectStartMicros = EngineClock.monotonicMicros()
        reconnects += 1
        let recovery: (pid: String, offset: String)?
        if r.resume == .recovery, let pid, let lastOffset { recovery = (pid, lastOffset) } else { recovery = nil }
        if r.resume == .none { sequence.forgetAll(); resumeSet.removeAll() }
        var s = connectStep
        s.timeout = r.timeout
        connect(s, recovery: recovery)
        waiter = .connect
    }

    func resumeAfterReconnect(_ r: ReconnectStep, recovered: Bool) {
        let targets = resumeSet
        resumeSet.removeAll()
        if r.resume == .recovery && recovered {
            // The server restored the rooms: events continue from the offset, no resubscribe.
            let now = EngineClock.wallMicros()
            for w in targets {
                isolation.restored(w); sequence.resuming(w); liveSince[w] = now
                connection?.expectEvents(forWorkflow: w)
                counted.insert(w); rec.workflowSubscribed(w, 1)
            }
            rec.count("recovery.restored")
            finishReconnect()
            return
        }
        if r.resume == .recovery { rec.count("recovery.fallbacks") }
        guard r.resume != .none, !targets.isEmpty else { finishReconnect(); return }
        pendingResubscribes = targets.count
        waiter = .ack
        for w in targets {
            sequence.resuming(w)
            subscribe(w, since: sequence.lastSeen(w) ?? 0, expected: "ok", timeout: r.timeout) { [self] in
                pendingResubscribes -= 1
                if pendingResubscribes == 0 { finishReconnect() }
            }
        }
    }

    func finishReconnect() {
        rec.record(MetricName.reconnect, micros: EngineClock.monotonicMicros() &- reconnectStartMicros)
        advance()
    }
}
