/// What the dispatcher must do at an intended moment (seconds from the run's start).
public enum PlanEvent: Sendable, Equatable {
    /// Start client session `index` (global across workers; shards filter by index).
    case start(PlannedStart)
    /// Closed model ramping down: stop this many of the phase's longest-running closed clients.
    case retire(count: Int, at: Double, phase: Int)

    public var at: Double {
        switch self {
        case .start(let s): s.at
        case .retire(_, let at, _): at
        }
    }
}

public struct PlannedStart: Sendable, Equatable {
    public var index: Int
    public var at: Double
    public var phase: Int
    /// Open-model sessions run their steps once and measure from `at` (coordinated omission);
    /// closed-model sessions are replaced when they end, keeping the concurrency.
    public var open: Bool
}
