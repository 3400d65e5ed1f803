/// Contract §4: nothing follows a workflow's terminal `workflow_status` (completed, failed or
/// cancelled) on that workflow.
struct TerminalCheck {
    enum Outcome: Equatable {
        case live
        /// This event is the terminal one.
        case becameTerminal
        /// An event after the terminal one.
        case afterTerminal(event: String, seq: Int64?)

        var judgement: CheckJudgement {
            switch self {
            case .live: .none
            case .becameTerminal: .observed
            case .afterTerminal(let event, let seq):
                .violated(expected: "nothing after the terminal workflow_status", seen: "\(event) seq \(seq.map(String.init) ?? "?")")
            }
        }
    }

    private var ended: Set<String> = []

    static func isTerminal(_ status: String) -> Bool {
        status == "completed" || status == "failed" || status == "cancelled"
    }

    mutating func observe(_ workflow: String, event: String, seq: Int64?, status: String?) -> Outcome {
        if !ended.isEmpty && ended.contains(workflow) { return .afterTerminal(event: event, seq: seq) }
        guard event == "workflow_status", let status, Self.isTerminal(status) else { return .live }
        ended.insert(workflow)
        return .becameTerminal
    }
}
