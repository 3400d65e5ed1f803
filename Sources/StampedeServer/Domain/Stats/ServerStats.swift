import Atomics
import Foundation
import NIOConcurrencyHelpers
import StampedeContract

/// Counters owned where the change happens and summed on read — never a
/// walk over every session per request (ARCHITECTURE: stats truth).
public final class ServerStats: Sendable {
    let startedAt = Date()
    let connections = ManagedAtomic<Int>(0)
    let websocketConnections = ManagedAtomic<Int>(0)
    let pollingConnections = ManagedAtomic<Int>(0)
    let subscriptions = ManagedAtomic<Int>(0)
    let eventsPublished = ManagedAtomic<Int>(0)
    let eventsDelivered = ManagedAtomic<Int>(0)
    let rateLimited = ManagedAtomic<Int>(0)
    let authFailures = ManagedAtomic<Int>(0)
    let slowConsumerDisconnects = ManagedAtomic<Int>(0)
    let workflowsCreated = ManagedAtomic<Int>(0)
    let recoveredSessions = ManagedAtomic<Int>(0)
    /// Connection-level (not in the stats body: `/metrics` only).
    let connectionTimeouts = ManagedAtomic<Int>(0)
    let writeStallCloses = ManagedAtomic<Int>(0)
    let idleWorkflowsDropped = ManagedAtomic<Int>(0)
    /// Publish accepted → its frames written to the last subscriber on one
    /// event loop: one observation per (publish, loop), not per socket.
    let eventDelivery = AtomicHistogram()
    /// Handling of accepted `POST …/events` requests (cluster: with the commit).
    let publishDuration = AtomicHistogram()
    let httpDurations = RouteDurations()

    public init() {}

    func add(_ counter: ManagedAtomic<Int>, _ n: Int = 1) {
        counter.wrappingIncrement(by: n, ordering: .relaxed)
    }

    func subtract(_ counter: ManagedAtomic<Int>, _ n: Int = 1) {
        counter.wrappingDecrement(by: n, ordering: .relaxed)
    }

    var uptimeSeconds: Double { Date().timeIntervalSince(startedAt) }

    /// The stats body; the workflow and user figures come from their owners.
    func snapshot(uniqueUsers: Int, activeWorkflows: Int, runningWorkflows: Int) -> StatsSnapshot {
        StatsSnapshot(
            totalConnections: connections.load(ordering: .relaxed),
            uniqueUsers: uniqueUsers,
            activeWorkflows: activeWorkflows,
            totalSubscriptions: subscriptions.load(ordering: .relaxed),
            runningWorkflows: runningWorkflows,
            transports: .init(websocket: websocketConnections.load(ordering: .relaxed),
                              polling: pollingConnections.load(ordering: .relaxed)),
            eventsPublished: eventsPublished.load(ordering: .relaxed),
            eventsDelivered: eventsDelivered.load(ordering: .relaxed),
            rateLimited: rateLimited.load(ordering: .relaxed),
            authFailures: authFailures.load(ordering: .relaxed),
            slowConsumerDisconnects: slowConsumerDisconnects.load(ordering: .relaxed),
            uptimeSeconds: (uptimeSeconds * 1000).rounded() / 1000
        )
    }
}

/// Live sockets per user: enforces the per-user cap and answers
/// `unique_users` without scanning sockets. In cluster mode the cap counts
/// the user's sockets on the other nodes too, as of their last heartbeat
/// (`remote`), so it holds cluster-wide within that window.
final class UserConnections: Sendable {
    private let counts = NIOLockedValueBox<[String: Int]>([:])
    private let remote = NIOLockedValueBox<[String: Int]>([:])
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Reserves a slot; false when the user is at the cap.
    func reserve(_ user: String) -> Bool {
        let elsewhere = remote.withLockedValue { $0[user, default: 0] }
        return counts.withLockedValue { c in
            let n = c[user, default: 0]
            guard n + elsewhere < limit else { return false }
            c[user] = n + 1
            return true
        }
    }

    func release(_ user: String) {
        counts.withLockedValue { c in
            guard let n = c[user] else { return }
            if n <= 1 { c[user] = nil } else { c[user] = n - 1 }
        }
    }

    var uniqueUsers: Int { counts.withLockedValue { $0.count } }
    /// Sockets per user on this node (what a cluster node publishes).
    var perUser: [String: Int] { counts.withLockedValue { $0 } }

    /// The other nodes' sockets per user, from the cluster's heartbeat table.
    func setRemote(_ m: [String: Int]) { remote.withLockedValue { $0 = m } }
}
