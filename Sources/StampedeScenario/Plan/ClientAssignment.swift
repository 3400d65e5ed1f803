/// Which group, user and workflows client `index` gets — a pure function of the index, so
/// worker shards and reruns agree, and a test can predict every client.
public struct ClientAssignment: Sendable {
    /// Smooth weighted round-robin over one weight cycle (nginx's algorithm): weights 3:1 give
    /// A A B A, never A A A B, so short runs still see every group early.
    let cycle: [Int]
    public let users: Int
    public let workflowCount: Int
    public let ownership: WorkflowSpec.Ownership
    let auth: AuthSpec

    public init(scenario: Scenario) {
        var current = scenario.groups.map { _ in 0 }
        let total = scenario.groups.reduce(0) { $0 + $1.weight }
        var cycle: [Int] = []
        cycle.reserveCapacity(total)
        for _ in 0..<total {
            for g in scenario.groups.indices { current[g] += scenario.groups[g].weight }
            let best = current.indices.max { current[$0] < current[$1] || (current[$0] == current[$1] && $0 > $1) }!
            current[best] -= total
            cycle.append(best)
        }
        self.cycle = cycle
        users = scenario.auth.users
        workflowCount = scenario.workflows.count
        ownership = scenario.workflows.owner
        auth = scenario.auth
    }

    public func group(_ index: Int) -> Int { cycle[index % cycle.count] }

    public func userIndex(_ index: Int) -> Int { index % users }

    public func userID(_ index: Int) -> String { auth.userID(userIndex(index)) }

    /// Owner of workflow `w`: per_user deals workflows round-robin to users; single gives all to user 0.
    public func ownerIndex(ofWorkflow w: Int) -> Int { ownership == .single ? 0 : w % users }

    /// A workflow owned by the client's user, spreading a user's clients over its workflows.
    /// nil when that user owns none (more users than workflows).
    public func ownWorkflow(_ index: Int) -> Int? {
        guard workflowCount > 0 else { return nil }
        let u = userIndex(index)
        if ownership == .single { return u == 0 ? (index / users) % workflowCount : nil }
        guard u < workflowCount else { return nil }
        let owned = (workflowCount - u + users - 1) / users
        return u + users * ((index / users) % owned)
    }

    /// A workflow some other user owns (for isolation probes).
    public func otherWorkflow(_ index: Int) -> Int? {
        guard workflowCount > 0 else { return nil }
        let u = userIndex(index)
        for step in 0..<workflowCount {
            let w = (index + step) % workflowCount
            if ownerIndex(ofWorkflow: w) != u { return w }
        }
        return nil
    }
}
