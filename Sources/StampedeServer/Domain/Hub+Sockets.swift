import NIOCore
import SocketIOWire
import StampedeAuth
import StampedeContract
import StampedeJSON

extension Hub: SocketDomain {
    public func connect(_ request: ConnectRequest, output: SocketOutput) -> EventLoopFuture<ConnectDecision> {
        let loop = output.eventLoop
        let token = TokenSource.extract(auth: request.auth, headers: request.headers, query: request.query)
        if let shared = settings.sharedSessions, settings.limits.connectionStateRecovery, let pid = request.auth?["pid"]?.stringValue {
            return connectRecoveringShared(shared, pid: pid, token: token, request: request, output: output)
        }
        let verifier = self.verifier
        // HS256 (and every refusal) is decided here, on the loop: no Task.
        if let result = verifier.verifyWithoutSuspending(token) {
            // Decided on the socket's loop (the fan-out state lives there).
            if loop.inEventLoop { return loop.makeSucceededFuture(decide(result, request: request, output: output)) }
            return loop.submit { self.decide(result, request: request, output: output) }
        }
        let promise = loop.makePromise(of: Result<Principal, AuthFailureCode>.self)
        promise.completeWithTask { await verifier.verify(token) }
        return promise.futureResult.map { result in
            self.decide(result, request: request, output: output)
        }
    }

    /// The CONNECT decided on the socket's loop when the token needs no
    /// suspension (HS256, every refusal): no future, no Task.
    public func connectImmediately(_ request: ConnectRequest, output: SocketOutput) -> ConnectDecision? {
        guard output.eventLoop.inEventLoop else { return nil }
        if settings.sharedSessions != nil, settings.limits.connectionStateRecovery, request.auth?["pid"]?.stringValue != nil { return nil }
        let token = TokenSource.extract(auth: request.auth, headers: request.headers, query: request.query)
        guard let result = verifier.verifyWithoutSuspending(token) else { return nil }
        return decide(result, request: request, output: output)
    }

    /// On the socket's loop: the per-user cap, then a fresh or recovered
    /// session (`taken`: already taken from the cluster's shared sessions).
    func decide(_ result: Result<Principal, AuthFailureCode>, request: ConnectRequest, output: SocketOutput,
                taken: RecoveryStore.Detached?? = nil) -> ConnectDecision {
        let principal: Principal
        switch result {
        case .failure(let code):
            stats.add(stats.authFailures)
            log.log(.connectRefused, level: .info, "CONNECT refused",
                    ["code": .string(code.rawValue), "transport": .string(request.transport.rawValue)])
            return .refuse(code.connectErrorPayload)
        case .success(let p):
            principal = p
        }
        guard users.reserve(principal.userID) else {
            stats.add(stats.authFailures)
            log.log(.connectRefused, level: .info, "CONNECT refused: the user is at the per-user socket cap",
                    ["code": .string(AuthFailureCode.tooManyConnections.rawValue), "user": .string(principal.userID),
                     "cap": .stringConvertible(settings.maxConnectionsPerUser)])
            return .refuse(AuthFailureCode.tooManyConnections.connectErrorPayload)
        }
        let csr = settings.limits.connectionStateRecovery
        var detached: RecoveryStore.Detached?
        var recoveredPID: String?
        var clientOffset: UInt64 = 0
        if csr, let pid = request.auth?["pid"]?.stringValue {
            detached = taken ?? recovery.take(pid: pid, userID: principal.userID)
            if detached != nil { recoveredPID = pid }
            clientOffset = request.auth?["offset"]?.stringValue.flatMap { UInt64($0) } ?? 0
        }
        // A recovered session keeps its sid and its pid: an unchanged pid is
        // how clients know the session (rooms, missed events) came back.
        let session = SocketSession(output: output, principal: principal, sid: detached?.sid ?? SessionID.make(),
                                    pid: csr ? (recoveredPID ?? SessionID.make()) : nil, transport: request.transport,
                                    limits: settings.limits)
        let stats = self.stats
        session.onDelivered = { stats.add(stats.eventsDelivered, $0) }
        stats.add(stats.connections)
        stats.add(request.transport == .websocket ? stats.websocketConnections : stats.pollingConnections)
        if let detached { restore(session, rooms: detached.rooms, afterOffset: clientOffset) }
        return .accept(session, on: session.eventLoop, sid: session.sid, pid: session.pid)
    }

    /// Rejoins the rooms of a recovered session and writes what it missed.
    private func restore(_ session: SocketSession, rooms: [String], afterOffset offset: UInt64) {
        let (positions, replay) = registry.recover(rooms, afterOffset: offset, loop: session.eventLoop)
        let fanout = fanouts.fanout(for: session.eventLoop)
        for (id, position) in positions {
            session.positions[id] = position
            fanout.add(session, to: id)
        }
        stats.add(stats.subscriptions, positions.count)
        stats.add(stats.recoveredSessions)
        _ = session.replay(replay, withOffsets: true)
    }

    public func event(_ socket: DomainSocket, name: String, arguments: [JSONValue], ackID: UInt64?) {
        guard let session = socket as? SocketSession, !session.ended, !session.closing else { return }
        let now = NIODeadline.now()
        if case .refused(let retry) = session.bucket.take(now: now) {
            stats.add(stats.rateLimited)
            session.refuse(ackID, .rateLimited, "more than \(Int(settings.limits.socketEventsPerSecond)) events/s", retryAfterMs: retry)
            if session.refusals.record(now: now) {
                session.closing = true
                session.output.disconnect(.rateLimitAbuse)
            }
            return
        }
        switch name {
        case RequestName.subscribe: subscribe(session, arguments, ackID)
        case RequestName.unsubscribe: unsubscribe(session, arguments, ackID)
        default: session.ack(ackID, Replies.unknownEvent)
        }
    }

    private func subscribe(_ session: SocketSession, _ arguments: [JSONValue], _ ackID: UInt64?, loaded: Bool = false) {
        let request: SubscribeRequest
        switch SubscribeRequest.parse(arguments) {
        case .failure(let v): return session.refuse(ackID, .invalidRequest, v.message)
        case .success(let r): request = r
        }
        let already = session.positions[request.workflowID] != nil
        if !already, session.positions.count >= settings.limits.maxSubscriptionsPerSocket {
            return session.refuse(ackID, .tooManySubscriptions, "at most \(settings.limits.maxSubscriptionsPerSocket) subscriptions per socket")
        }
        switch registry.subscribe(request.workflowID, since: request.since, principal: session.principal,
                                  loop: session.eventLoop, alreadySubscribed: already) {
        case .failure(.notFound) where journal != nil && !loaded:
            // Cluster mode: created or last read on another node; load it
            // from the journal, then subscribe on the socket's loop.
            let id = request.workflowID
            let bound = NIOLoopBound(session, eventLoop: session.eventLoop)
            Task {
                let found = (try? await self.ensureLoaded(id)) ?? false
                bound.eventLoop.execute {
                    let session = bound.value
                    guard !session.ended else { return }
                    if found { self.subscribe(session, arguments, ackID, loaded: true) }
                    else { session.refuse(ackID, .notFound, "no workflow \(id)") }
                }
            }
        case .failure(.notFound):
            session.refuse(ackID, .notFound, "no workflow \(request.workflowID)")
        case .failure(.forbidden):
            session.refuse(ackID, .forbidden, "workflow \(request.workflowID) belongs to another user")
        case .success(let start):
            if !already {
                session.positions[start.workflowID] = request.since.map { min($0, start.latestSeq) } ?? start.latestSeq
                fanouts.fanout(for: session.eventLoop).add(session, to: start.workflowID)
                stats.add(stats.subscriptions)
            }
            let replayed = session.replay(start.replay)
            session.ack(ackID, Replies.subscribed(workflowID: request.workflowID, latestSeq: start.latestSeq,
                                                  replayed: replayed, truncated: start.truncated))
        }
    }

    private func unsubscribe(_ session: SocketSession, _ arguments: [JSONValue], _ ackID: UInt64?) {
        switch UnsubscribeRequest.parse(arguments) {
        case .failure(let v):
            session.refuse(ackID, .invalidRequest, v.message)
        case .success(let r):
            if session.positions.removeValue(forKey: r.workflowID) != nil {
                fanouts.fanout(for: session.eventLoop).remove(session, from: r.workflowID)
                registry.unsubscribe([r.workflowID], loop: session.eventLoop)
                stats.subtract(stats.subscriptions)
            }
            session.ack(ackID, Replies.ok)
        }
    }

    public func transportUpgraded(_ socket: DomainSocket) {
        guard let session = socket as? SocketSession, !session.ended, session.transport == .polling else { return }
        session.transport = .websocket
        stats.subtract(stats.pollingConnections)
        stats.add(stats.websocketConnections)
    }

    public func transportEvent(_ event: TransportEvent) {
        switch event {
        case .connectionTimedOut: stats.add(stats.connectionTimeouts)
        case .writeStallClosed:
            stats.add(stats.writeStallCloses)
            log.log(.writeStall, level: .notice, "connection closed: its peer stopped reading past the outbound bound")
        }
    }

    public func socketEnded(_ socket: DomainSocket, reason: SocketEndReason) {
        guard let session = socket as? SocketSession, !session.ended else { return }
        session.ended = true
        let positions = session.positions
        let rooms = Array(positions.keys)
        let fanout = fanouts.fanout(for: session.eventLoop)
        for id in rooms { fanout.remove(session, from: id) }
        registry.unsubscribe(rooms, loop: session.eventLoop)
        stats.subtract(stats.subscriptions, rooms.count)
        stats.subtract(stats.connections)
        stats.subtract(session.transport == .websocket ? stats.websocketConnections : stats.pollingConnections)
        users.release(session.principal.userID)
        session.positions = [:]
        switch reason {
        case .transportLost(recoverable: true):
            if let pid = session.pid {
                if let shared = settings.sharedSessions {
                    shared.keep(KeptSession(pid: pid, sid: session.sid, userID: session.principal.userID, rooms: positions))
                } else {
                    recovery.keep(pid: pid, sid: session.sid, userID: session.principal.userID, rooms: rooms)
                }
            }
        case .serverDisconnect(.slowConsumer):
            stats.add(stats.slowConsumerDisconnects)
            log.log(.slowConsumer, level: .notice, "socket disconnected as a slow consumer (it can resume with since)",
                    ["sid": .string(session.sid), "user": .string(session.principal.userID),
                     "rooms": .stringConvertible(rooms.count)])
        default:
            break
        }
    }
}
