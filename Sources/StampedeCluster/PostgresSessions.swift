import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import StampedeJSON
import StampedeServer

/// Recovery sessions in `stampede_sessions`: written when a socket's
/// transport is lost (and so at graceful shutdown, which closes every
/// transport), taken once with `DELETE … RETURNING` by whichever node the
/// client reaches. A row remembers the journal's epoch: a session kept
/// under another epoch (the journal re-created or restored) never
/// recovers, nor does an offset beyond the journal's position.
final class PostgresSessions: SharedSessions, Sendable {
    private let client: PostgresClient
    private let logger: Logger
    private let keepForSeconds: Double
    /// Writes in flight; shutdown waits for them before the pool closes.
    private let pending = NIOLockedValueBox<(count: Int, idle: [CheckedContinuation<Void, Never>])>((0, []))
    private let sweeper: Task<Void, Never>

    init(client: PostgresClient, logger: Logger, keepForSeconds: Double) {
        self.client = client
        self.logger = logger
        self.keepForSeconds = keepForSeconds
        sweeper = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(10))
                _ = try? await withDeadline("session sweep") {
                    try await client.query("DELETE FROM stampede_sessions WHERE expires_at < clock_timestamp()", logger: logger)
                }
            }
        }
    }

    func keep(_ s: KeptSession) {
        pending.withLockedValue { $0.count += 1 }
        let rooms = JSONValue.object(JSONObject(s.rooms.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })).serialized
        let client = self.client, logger = self.logger, seconds = keepForSeconds
        Task {
            do {
                try await withDeadline("session keep") {
                    try await client.query("""
                        INSERT INTO stampede_sessions (pid, sid, user_id, rooms, epoch, position, expires_at)
                        SELECT \(s.pid), \(s.sid), \(s.userID), \(rooms)::jsonb, epoch, pos,
                               clock_timestamp() + make_interval(secs => \(seconds))
                        FROM stampede_position WHERE id = 1
                        ON CONFLICT (pid) DO UPDATE SET sid = EXCLUDED.sid, user_id = EXCLUDED.user_id, rooms = EXCLUDED.rooms,
                          epoch = EXCLUDED.epoch, position = EXCLUDED.position, expires_at = EXCLUDED.expires_at
                        """, logger: logger)
                }
            } catch {
                logger.warning("could not keep a session for recovery", metadata: ["error": "\(error)"])
            }
            self.finished()
        }
    }

    func take(pid: String, userID: String, offset: UInt64) async throws -> KeptSession? {
        let client = self.client, logger = self.logger
        let offset = Int64(clamping: offset)
        return try await withDeadline("session take") {
            var kept: KeptSession?
            for try await (sid, rooms, usable) in try await client.query("""
                DELETE FROM stampede_sessions s WHERE pid = \(pid) AND user_id = \(userID)
                RETURNING sid, rooms::text,
                  expires_at > clock_timestamp()
                  AND epoch = (SELECT epoch FROM stampede_position WHERE id = 1)
                  AND \(offset) <= (SELECT pos FROM stampede_position WHERE id = 1)
                """, logger: logger).decode((String, String, Bool).self) where usable {
                var positions: [String: Int64] = [:]
                for (id, seq) in (try? JSONParser.parse(Array(rooms.utf8)))?.objectValue?.entries ?? [] {
                    positions[id] = seq.intValue ?? 0
                }
                kept = KeptSession(pid: pid, sid: sid, userID: userID, rooms: positions)
            }
            return kept
        }
    }

    /// Waits for the session writes in flight (graceful shutdown).
    func drain() async {
        await withCheckedContinuation { c in
            let now = pending.withLockedValue { p -> Bool in
                if p.count == 0 { return true }
                p.idle.append(c)
                return false
            }
            if now { c.resume() }
        }
        sweeper.cancel()
    }

    private func finished() {
        let waiting = pending.withLockedValue { p -> [CheckedContinuation<Void, Never>] in
            p.count -= 1
            guard p.count == 0 else { return [] }
            defer { p.idle = [] }
            return p.idle
        }
        for c in waiting { c.resume() }
    }
}
