import StampedeServer

/// What one heartbeat must change in this node's rows of
/// `stampede_node_users` and `stampede_node_workflows`: the difference
/// between what the last committed heartbeat published and the node's
/// figures now. Without a last publish (the first beat, a failed one, or
/// the node's row reaped while it was silent) the whole set is written.
struct PresenceRows: Equatable {
    var replaceAll: Bool
    var removedUsers: [String] = []
    var upsertedUsers: [(user: String, sockets: Int)] = []
    var removedWorkflows: [String] = []
    var addedWorkflows: [String] = []

    init(from published: NodeFigures?, to now: NodeFigures) {
        replaceAll = published == nil
        let before = published?.socketsPerUser ?? [:]
        removedUsers = before.keys.filter { now.socketsPerUser[$0] == nil }.sorted()
        upsertedUsers = now.socketsPerUser.filter { before[$0.key] != $0.value }
            .map { (user: $0.key, sockets: $0.value) }.sorted { $0.user < $1.user }
        let wasActive = published?.activeWorkflows ?? []
        removedWorkflows = wasActive.subtracting(now.activeWorkflows).sorted()
        addedWorkflows = now.activeWorkflows.subtracting(wasActive).sorted()
    }

    var isEmpty: Bool {
        !replaceAll && removedUsers.isEmpty && upsertedUsers.isEmpty && removedWorkflows.isEmpty && addedWorkflows.isEmpty
    }

    static func == (a: PresenceRows, b: PresenceRows) -> Bool {
        a.replaceAll == b.replaceAll && a.removedUsers == b.removedUsers && a.removedWorkflows == b.removedWorkflows
            && a.addedWorkflows == b.addedWorkflows
            && a.upsertedUsers.map(\.user) == b.upsertedUsers.map(\.user)
            && a.upsertedUsers.map(\.sockets) == b.upsertedUsers.map(\.sockets)
    }
}
