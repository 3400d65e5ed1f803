import NIOConcurrencyHelpers
import NIOCore

/// Sessions kept after a recoverable disconnect (Socket.IO connection
/// state recovery): sid, owner and rooms, for `maxDisconnectionDuration`.
final class RecoveryStore: Sendable {
    struct Detached: Sendable {
        let sid: String
        let userID: String
        let rooms: [String]
        let expires: NIODeadline
    }

    private let sessions = NIOLockedValueBox<[String: Detached]>([:])
    let keepFor: TimeAmount

    init(keepFor: TimeAmount) { self.keepFor = keepFor }

    func keep(pid: String, sid: String, userID: String, rooms: [String]) {
        let d = Detached(sid: sid, userID: userID, rooms: rooms, expires: .now() + keepFor)
        sessions.withLockedValue { $0[pid] = d }
    }

    /// Takes the session out (a pid recovers once) if it is still fresh and
    /// belongs to this user.
    func take(pid: String, userID: String) -> Detached? {
        sessions.withLockedValue { s in
            guard let d = s[pid] else { return nil }
            guard d.userID == userID else { return nil }
            s[pid] = nil
            return d.expires > .now() ? d : nil
        }
    }

    func sweep(now: NIODeadline = .now()) {
        sessions.withLockedValue { s in s = s.filter { $0.value.expires > now } }
    }

    var count: Int { sessions.withLockedValue { $0.count } }
}
