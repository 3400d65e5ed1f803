/// Contract §3/§5 (isolation): a socket receives events only for workflows it subscribed to
/// (an unsubscribe in flight may still let some through), and a subscribe to another user's
/// workflow is refused. The set of workflows the socket is entitled to is the client's
/// subscription state, so it lives here and the client reads it.
struct IsolationCheck {
    enum Outcome: Equatable {
        case entitled
        case notSubscribed(event: String, seq: Int64?)
        /// A subscribe that had to be refused was (`forbidden` expected) …
        case refusedAsExpected
        /// … or was accepted: another user's workflow leaked.
        case otherUsersWorkflowAccepted

        var judgement: CheckJudgement {
            switch self {
            case .entitled, .refusedAsExpected: .observed
            case .notSubscribed(let event, let seq):
                .violated(expected: "no event (not subscribed)", seen: "\(event) seq \(seq.map(String.init) ?? "?")")
            case .otherUsersWorkflowAccepted:
                .violated(expected: "forbidden (another user's workflow)", seen: "ok")
            }
        }
    }

    /// Subscribed, or asked for (a refused one is removed on its ack). Looked up per delivered
    /// event: a `WorkflowMap`, so the usual one workflow is read from the client itself.
    private var entitled = WorkflowMap<Void>()
    private var leaving: Set<String> = []

    var subscribed: Set<String> { Set(entitled.keys) }

    func isSubscribed(_ workflow: String) -> Bool { entitled.contains(workflow) }

    /// Registered before the ack is sent for: the ack and the first events may arrive in either order.
    mutating func subscribing(_ workflow: String) { entitled[workflow] = () }
    mutating func refused(_ workflow: String) { entitled[workflow] = nil }
    mutating func unsubscribing(_ workflow: String) { leaving.insert(workflow) }
    mutating func unsubscribed(_ workflow: String) {
        entitled[workflow] = nil
        leaving.remove(workflow)
    }

    /// The socket is gone: it is entitled to nothing; the returned set is what to resume.
    mutating func disconnected() -> Set<String> {
        defer { entitled.removeAll() }
        return subscribed
    }

    /// The server restored the rooms (connection state recovery): entitled again, no resubscribe.
    mutating func restored(_ workflow: String) { entitled[workflow] = () }

    func observe(_ workflow: String, event: String, seq: Int64?) -> Outcome {
        entitled.contains(workflow) || (!leaving.isEmpty && leaving.contains(workflow))
            ? .entitled : .notSubscribed(event: event, seq: seq)
    }
}
