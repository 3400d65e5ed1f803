/// A typed budget, parsed when the file loads so a typo fails before any client starts.
/// Latency limits are held in milliseconds, rates as ratios (0…1), throughput per second.
public struct Budget: Sendable, Equatable {
    public enum Comparison: String, Sendable, Equatable {
        case lessThan = "<", lessOrEqual = "<=", greaterThan = ">", greaterOrEqual = ">="

        func holds(_ actual: Double, _ limit: Double) -> Bool {
            switch self {
            case .lessThan: actual < limit
            case .lessOrEqual: actual <= limit
            case .greaterThan: actual > limit
            case .greaterOrEqual: actual >= limit
            }
        }
    }

    public enum LatencyStat: Sendable, Equatable {
        case percentile(Double), mean, max, min
    }

    public enum Subject: Sendable, Equatable {
        /// `connect.p95`, `event_delivery.mean` — milliseconds.
        case latency(metric: String, stat: LatencyStat)
        /// `errors.rate` — unexpected failures / operations attempted.
        case errorRate
        /// `connect.failure_rate`, `subscribe.failure_rate`, `publish.failure_rate` — ratio.
        case failureRate(operation: String)
        /// `event_delivery.rate`, `connect.rate` — per second over the measured run.
        case throughput(metric: String)
        /// `errors.count`, `recovery.missed_events`, `dropped_sessions.count` — plain counts.
        case count(counter: String)
    }

    /// The text the user wrote (normalised), shown in reports.
    public var expression: String
    public var subject: Subject
    public var comparison: Comparison
    public var limit: Double

    /// The key used to let `--budget` override a file budget on the same subject.
    public var subjectKey: String { expression.split(whereSeparator: { "<>=".contains($0) }).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? expression }
}

/// A budget's verdict at one moment.
public struct BudgetOutcome: Sendable, Equatable {
    public var budget: Budget
    /// nil when there was no data for the subject (counts as passed only for counts/rates of zero).
    public var actual: Double?
    public var passed: Bool
    public var note: String?
}
