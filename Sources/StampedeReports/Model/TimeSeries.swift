/// One second of the run, as the recorder closed it.
public struct SecondSample: Codable, Sendable, Equatable {
    /// Whole seconds since the report's `start`.
    public var t: Int
    /// Live connections held by the generator at the end of the second.
    public var connections: Int
    /// The server's own count (stats endpoint) when it was sampled this second.
    public var serverConnections: Int?
    /// Events received by all clients during the second.
    public var eventsPerSecond: Double
    /// Errors of any code during the second.
    public var errors: Int
    /// Per latency metric, the distribution of the values recorded during this second.
    public var latency: [String: SecondLatency]
    /// Check violations that happened during this second, by check name; nil (absent from the
    /// JSON) for a second without any, so the report can mark *when* a guarantee broke.
    public var checkViolations: [String: Int]?

    public init(t: Int, connections: Int, serverConnections: Int? = nil, eventsPerSecond: Double,
                errors: Int, latency: [String: SecondLatency] = [:], checkViolations: [String: Int]? = nil) {
        self.t = t
        self.connections = connections
        self.serverConnections = serverConnections
        self.eventsPerSecond = eventsPerSecond
        self.errors = errors
        self.latency = latency
        self.checkViolations = checkViolations
    }

    /// All checks' violations in this second.
    public var totalCheckViolations: Int { checkViolations?.values.reduce(0, +) ?? 0 }

    enum CodingKeys: String, CodingKey {
        case t, connections, errors, latency
        case serverConnections = "server_connections"
        case eventsPerSecond = "events_per_second"
        case checkViolations = "check_violations"
    }
}

/// A metric's distribution within one second (milliseconds).
///
/// `histogram` is optional because it is the bulk of a long report; with it,
/// merging shards recomputes exact per-second percentiles, without it the
/// merge keeps the worst shard's values (see docs/REPORTS.md).
public struct SecondLatency: Codable, Sendable, Equatable {
    public var count: UInt64
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var max: Double
    public var histogram: LatencyHistogram?

    public init(count: UInt64, p50: Double, p90: Double, p99: Double, max: Double, histogram: LatencyHistogram? = nil) {
        self.count = count
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.max = max
        self.histogram = histogram
    }

    /// - Parameter keepHistogram: store the histogram for exact merges (larger JSON).
    public init(histogram: LatencyHistogram, keepHistogram: Bool = true) {
        count = histogram.count
        p50 = MetricSummary.millis(histogram.valueAtPercentile(50))
        p90 = MetricSummary.millis(histogram.valueAtPercentile(90))
        p99 = MetricSummary.millis(histogram.valueAtPercentile(99))
        max = MetricSummary.millis(histogram.max)
        self.histogram = keepHistogram ? histogram : nil
    }
}

/// The generator's expectation of the server's stats beside what the server reported.
public struct StatsSample: Codable, Sendable, Equatable {
    /// Whole seconds since the report's `start`.
    public var t: Int
    /// What the generator believes the server should report (e.g. its live connections).
    public var expected: Int
    public var observed: Int
    /// observed − expected.
    public var drift: Int
    /// Which stats field was compared, e.g. "connections" or "subscriptions".
    public var field: String
    /// Sharded runs, fields that count distinct things (unique_users, active_workflows): the
    /// ids this shard expected, so the merge counts the union, not the sum. Written only when
    /// the set changed since the field's previous sample (absent = as before).
    public var members: [String]?

    public init(t: Int, expected: Int, observed: Int, field: String = "connections") {
        self.t = t
        self.expected = expected
        self.observed = observed
        self.drift = observed - expected
        self.field = field
    }
}
