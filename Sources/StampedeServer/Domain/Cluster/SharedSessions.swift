import NIOCore
import StampedeContract

/// Cluster mode: sessions kept for Socket.IO connection state recovery
/// live in the database, so a client that reconnects to any node recovers
/// (the in-memory `RecoveryStore` only serves the node that kept it).
/// They are written when a transport is lost and at graceful shutdown;
/// a node that crashes writes none — `since` is the guarantee then.
public protocol SharedSessions: Sendable {
    /// Keeps a session (written in the background).
    func keep(_ session: KeptSession)
    /// Takes a session out, once across the cluster: nil when there is
    /// none, it expired, it is another user's, or it was kept under
    /// another epoch of the journal (its offsets mean nothing now).
    func take(pid: String, userID: String, offset: UInt64) async throws -> KeptSession?
}

public struct KeptSession: Sendable, Equatable {
    public let pid: String
    public let sid: String
    public let userID: String
    /// Subscribed workflows and the last seq each was sent.
    public let rooms: [String: Int64]

    public init(pid: String, sid: String, userID: String, rooms: [String: Int64]) {
        self.pid = pid
        self.sid = sid
        self.userID = userID
        self.rooms = rooms
    }
}

extension Hub {
    /// Cluster mode, a CONNECT with a `pid`: verify, take the session from
    /// the database (whichever node kept it), load its workflows, then
    /// decide on the socket's loop exactly as for a local recovery.
    func connectRecoveringShared(_ shared: any SharedSessions, pid: String, token: String?,
                                 request: ConnectRequest, output: SocketOutput) -> EventLoopFuture<ConnectDecision> {
        let loop = output.eventLoop
        let verifier = self.verifier
        let offset = request.auth?["offset"]?.stringValue.flatMap { UInt64($0) } ?? 0
        let promise = loop.makePromise(of: ConnectDecision.self)
        promise.completeWithTask {
            var result = verifier.verifyWithoutSuspending(token)
            if result == nil { result = await verifier.verify(token) }
            var kept: RecoveryStore.Detached?
            if case .success(let p)? = result, let s = try? await shared.take(pid: pid, userID: p.userID, offset: offset) {
                for id in s.rooms.keys { _ = try? await self.ensureLoaded(id) }
                kept = RecoveryStore.Detached(sid: s.sid, userID: s.userID, rooms: s.rooms.keys.sorted(), expires: .distantFuture)
            }
            let decided = result!, taken = kept  // constants: the hop to the loop captures them
            return try await loop.submit { self.decide(decided, request: request, output: output, taken: .some(taken)) }.get()
        }
        return promise.futureResult
    }
}
