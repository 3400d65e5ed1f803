import StampedeReports

/// What the progress line shows, once a second, for a live view of the run
/// (`stampede run --dashboard`). Built only when `RunOptions.onSecond` is
/// set; handed over by value so the observer never holds the runner up.
public struct LiveProgress: Sendable {
    /// Seconds since the run began, the phase now and the seconds left.
    public var t: Int
    public var phase: String
    public var secondsLeft: Double
    /// The second just merged: connections, deliveries, errors, latency per metric.
    public var sample: SecondSample
    /// Whole-run figures so far.
    public var totalErrors: Int
    public var checkViolations: Int
    /// Every budget evaluated on the run so far (limit and actual: the budget lines).
    public var budgets: [BudgetResult]
    /// Generator health so far, and the process CPU of the last second.
    public var health: GeneratorHealth
    public var cpuNowPercent: Double
}
