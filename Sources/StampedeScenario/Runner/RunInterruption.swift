import NIOConcurrencyHelpers

/// The first SIGINT/SIGTERM of `stampede run`, handed from the signal handler to the runner:
/// the runner stops the load at its next slice (≤ 100 ms), drains, and writes every report
/// marked `interrupted` (issue 15, item 3). The CLI treats a second signal as "abort now".
public final class RunInterruption: Sendable {
    private let name = NIOLockedValueBox<String?>(nil)

    public init() {}

    /// Records the signal; true for the first one (the caller aborts on any later one).
    @discardableResult
    public func interrupt(by signalName: String) -> Bool {
        name.withLockedValue { name in
            guard name == nil else { return false }
            name = signalName
            return true
        }
    }

    /// The signal's name ("SIGINT") once interrupted.
    public var signalName: String? { name.withLockedValue { $0 } }
}
