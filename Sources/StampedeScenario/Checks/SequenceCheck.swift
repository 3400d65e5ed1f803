/// Contract §5.1 (ordering): per workflow, `seq` increases by exactly one from the subscribe
/// on. §5.4 (recovery): the first event after a reconnect continues right after the last one
/// seen before it. One observer holds both, as both read the same last-seen seq.
struct SequenceCheck {
    enum Outcome: Equatable {
        /// The first event since the subscribe: it sets the baseline.
        case first
        case next(afterReconnect: Bool)
        /// A seq at or below the last one seen.
        case repeated(expected: Int64, seen: Int64)
        case gap(expected: Int64, seen: Int64, afterReconnect: Bool)

        var missed: UInt64 {
            if case .gap(let expected, let seen, _) = self { return UInt64(seen - expected) }
            return 0
        }

        var ordering: CheckJudgement {
            switch self {
            case .first, .next: .observed
            case .repeated(let expected, let seen):
                .violated(expected: "seq \(expected)", seen: "seq \(seen) (\(seen == expected - 1 ? "duplicate" : "out of order"))")
            case .gap(let expected, let seen, let afterReconnect):
                afterReconnect ? .none : .violated(expected: "seq \(expected)", seen: "seq \(seen) (gap of \(seen - expected))")
            }
        }

        var recovery: CheckJudgement {
            switch self {
            case .next(true): .observed
            case .gap(let expected, let seen, true):
                .violated(expected: "seq \(expected) after reconnect", seen: "seq \(seen) (\(seen - expected) missed)")
            default: .none
            }
        }
    }

    /// Read and written per delivered event: a `WorkflowMap` (the usual one workflow inline).
    private var last = WorkflowMap<Int64>()
    /// Workflows whose next event is the first after a reconnect.
    private var resumed: Set<String> = []

    /// The last seq seen on `workflow`, where a resubscribe resumes with `since`.
    func lastSeen(_ workflow: String) -> Int64? { last[workflow] }

    /// A subscribe: `since` is the baseline; a fresh subscribe without one waits for the first
    /// event; re-subscribing without `since` keeps the baseline (the server skips what was sent).
    mutating func subscribing(_ workflow: String, since: Int64?, alreadySubscribed: Bool) {
        if let since { last[workflow] = since } else if !alreadySubscribed { last[workflow] = nil }
    }

    /// The next event on `workflow` is the first after a reconnect.
    mutating func resuming(_ workflow: String) { resumed.insert(workflow) }

    mutating func forget(_ workflow: String) { last[workflow] = nil }

    /// A reconnect without resuming starts every workflow afresh.
    mutating func forgetAll() { last.removeAll() }

    /// Runs per delivered event; the resumed set is only looked into while it holds anything.
    mutating func observe(_ workflow: String, seq: Int64) -> Outcome {
        guard let previous = last[workflow] else {
            last[workflow] = seq
            return .first
        }
        let afterReconnect = !resumed.isEmpty && resumed.remove(workflow) != nil
        if seq <= previous { return .repeated(expected: previous + 1, seen: seq) }
        last[workflow] = seq
        return seq == previous + 1 ? .next(afterReconnect: afterReconnect)
            : .gap(expected: previous + 1, seen: seq, afterReconnect: afterReconnect)
    }
}
