import Foundation
import StampedeClient
import StampedeJSON
import StampedeReports

/// Reads the server's stats endpoint (contract §7) and lines it up with the engine's own counts.
struct StatsSampler: Sendable {
    let http: HTTPClient
    let adminToken: String

    struct Observed: Sendable, Equatable {
        var connections: Int
        var uniqueUsers: Int
        var subscriptions: Int
        var activeWorkflows: Int
    }

    func fetch() async -> Observed? {
        guard let r = try? await http.request("GET", "/api/v1/websocket/stats", headers: [("Authorization", "Bearer \(adminToken)")]),
              r.status == 200, let j = try? r.json() else { return nil }
        func int(_ k: String) -> Int { Int(j[k]?.intValue ?? -1) }
        return Observed(connections: int("total_connections"), uniqueUsers: int("unique_users"),
                        subscriptions: int("total_subscriptions"), activeWorkflows: int("active_workflows"))
    }

    /// One sample per field; `baseline` is what the server reported before any client (other tenants).
    /// `previous`: a shard's last expectation — when given, distinct-count fields carry their ids
    /// whenever the set changed, so the merge can count the union across shards.
    static func samples(t: Int, expected e: RunAggregate.ExpectedStats, observed o: Observed, baseline b: Observed,
                        withMembers: Bool = false, previous: RunAggregate.ExpectedStats? = nil) -> [StatsSample] {
        var out = plainSamples(t: t, expected: e, observed: o, baseline: b)
        if withMembers {
            if previous?.userSet != e.userSet { out[1].members = e.userSet.sorted() }
            if previous?.workflowSet != e.workflowSet { out[3].members = e.workflowSet.sorted() }
        }
        return out
    }

    static func plainSamples(t: Int, expected e: RunAggregate.ExpectedStats, observed o: Observed, baseline b: Observed) -> [StatsSample] {
        [
            StatsSample(t: t, expected: e.connections + b.connections, observed: o.connections, field: "connections"),
            StatsSample(t: t, expected: e.uniqueUsers + b.uniqueUsers, observed: o.uniqueUsers, field: "unique_users"),
            StatsSample(t: t, expected: e.subscriptions + b.subscriptions, observed: o.subscriptions, field: "subscriptions"),
            StatsSample(t: t, expected: e.activeWorkflows + b.activeWorkflows, observed: o.activeWorkflows, field: "active_workflows"),
        ]
    }
}

extension StatsSampler.Observed {
    init(_ c: StatsCounts) {
        self.init(connections: c.connections, uniqueUsers: c.uniqueUsers, subscriptions: c.subscriptions, activeWorkflows: c.activeWorkflows)
    }

    var counts: StatsCounts {
        StatsCounts(connections: connections, uniqueUsers: uniqueUsers, subscriptions: subscriptions, activeWorkflows: activeWorkflows)
    }
}
