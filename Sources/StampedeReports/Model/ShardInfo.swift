import Foundation

/// What a shard of a multi-machine run must tell the merge: which part of the plan it ran,
/// whether it judged, when it started against the agreed instant, and how far its clock sat
/// from the server's (cross-host skew biases `event_delivery`, which compares two clocks).
public struct ShardInfo: Codable, Sendable, Equatable {
    /// Segment position in `sequence` (0-based) and how many segments the sequence has.
    public var index: Int
    public var count: Int
    /// `a:b`, e.g. "1/3:2/3".
    public var segment: String
    /// Every machine's boundaries, e.g. "0,1/3,2/3,1"; all shards of one run carry the same.
    public var sequence: String
    /// `--defer-verdict`: the shard reported but left judging to `stampede report merge`.
    public var deferredVerdict: Bool
    /// `--start-at`, and how late the plan clock actually started (ms, ≥ 0).
    public var startAt: Date?
    public var startLagMs: Double?
    public var host: String
    /// min over received events of (local receive time − the server's `ts`), in ms: the clock
    /// offset to the server plus the fastest one-way delivery (an upper bound on the offset).
    public var clockOffsetMs: Double?
    public var clockSamples: Int
    /// The prepared workflows file the shard ran with (`--workflow-ids @DIR/workflows.json`).
    public var workflowsFile: String?
    /// The server's stats before any client of the run (from the prepare step when given).
    public var statsBaseline: StatsCounts?
    /// The server's stats after this shard's clients left, and when they were read.
    public var statsAfter: StatsCounts?
    public var statsAfterAt: Date?

    public init(index: Int, count: Int, segment: String, sequence: String, deferredVerdict: Bool, host: String) {
        self.index = index
        self.count = count
        self.segment = segment
        self.sequence = sequence
        self.deferredVerdict = deferredVerdict
        self.host = host
        clockSamples = 0
    }

    enum CodingKeys: String, CodingKey {
        case index, count, segment, sequence, host
        case deferredVerdict = "deferred_verdict"
        case startAt = "start_at"
        case startLagMs = "start_lag_ms"
        case clockOffsetMs = "clock_offset_ms"
        case clockSamples = "clock_samples"
        case workflowsFile = "workflows_file"
        case statsBaseline = "stats_baseline"
        case statsAfter = "stats_after"
        case statsAfterAt = "stats_after_at"
    }
}

/// The four numbers of the server's stats endpoint the checks compare.
public struct StatsCounts: Codable, Sendable, Equatable {
    public var connections: Int
    public var uniqueUsers: Int
    public var subscriptions: Int
    public var activeWorkflows: Int

    public init(connections: Int, uniqueUsers: Int, subscriptions: Int, activeWorkflows: Int) {
        self.connections = connections
        self.uniqueUsers = uniqueUsers
        self.subscriptions = subscriptions
        self.activeWorkflows = activeWorkflows
    }

    /// By the stats sample's field name ("connections", "unique_users", …).
    public func value(_ field: String) -> Int {
        switch field {
        case "connections": connections
        case "unique_users": uniqueUsers
        case "subscriptions": subscriptions
        case "active_workflows": activeWorkflows
        default: 0
        }
    }

    enum CodingKeys: String, CodingKey {
        case connections, subscriptions
        case uniqueUsers = "unique_users"
        case activeWorkflows = "active_workflows"
    }
}
