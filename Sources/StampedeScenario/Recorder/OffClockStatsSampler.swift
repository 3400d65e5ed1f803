import NIOConcurrencyHelpers

/// Samples the server's stats endpoint beside the per-second loop, never inside it: a slow or
/// overloaded server must not stop the time series and the progress (and then show one
/// "second" holding many seconds of deliveries as a false spike). Each sample keeps the
/// engine's expectation from the instant its request was sent; a request still unanswered at
/// the next second is left to finish and that second's sample is recorded as missed.
final class OffClockStatsSampler: Sendable {
    struct Answer: Sendable {
        var t: Int
        var expected: RunAggregate.ExpectedStats
        var observed: StatsSampler.Observed?
    }

    private struct State {
        var inFlight: Task<Void, Never>?
        var answered: [Answer] = []
        var missed = 0
    }

    private let sampler: StatsSampler
    private let state = NIOLockedValueBox(State())

    init(_ sampler: StatsSampler) { self.sampler = sampler }

    /// Starts second `t`'s request unless the previous one is still out (then `t` is missed).
    func sample(t: Int, expected: RunAggregate.ExpectedStats) {
        let sampler = self.sampler
        state.withLockedValue { s in
            guard s.inFlight == nil else {
                s.missed += 1
                return
            }
            s.inFlight = Task { [state] in
                let observed = await sampler.fetch()
                state.withLockedValue { s in
                    s.answered.append(Answer(t: t, expected: expected, observed: observed))
                    s.inFlight = nil
                }
            }
        }
    }

    /// The answers that arrived since the last call, oldest first, and how many seconds were
    /// missed since the last call.
    func drain() -> (answers: [Answer], missed: Int) {
        state.withLockedValue { s in
            defer { s.answered = []; s.missed = 0 }
            return (s.answered, s.missed)
        }
    }

    /// Waits for the request still out, if any (the run's end), at most `seconds`.
    func settle(within seconds: Double) async {
        let deadline = EngineClock.monotonicMicros() &+ UInt64(seconds * 1_000_000)
        while state.withLockedValue({ $0.inFlight != nil }) && EngineClock.monotonicMicros() < deadline {
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
    }
}
