import Foundation
import StampedeAuth
import StampedeContract
import StampedeJSON

/// Cluster mode in the domain: creation and publishing go through the
/// journal (the database assigns seq and position), reads and subscriptions
/// of a workflow this node has not seen load it first. Delivery still runs
/// through the node's registry and fan-out, fed by `applyJournaled`.
extension Hub {
    var journal: (any WorkflowJournal)? { settings.journal }

    /// Events the journal committed, in position order (the node's listener).
    public func applyJournaled(_ events: [JournaledEvent]) {
        registry.applyJournaled(events)
    }

    /// True when the node holds the workflow now (loaded if need be).
    func ensureLoaded(_ id: String) async throws -> Bool {
        if registry.contains(id) { return true }
        guard let journal else { return false }
        let registry = self.registry
        return try await journal.load(id, historyLimit: settings.historyLimit) { registry.adopt($0) }
    }

    func clusterCreate(type: String, owner: String, query: String?) async throws -> TaskCard {
        let card = WorkflowRegistry.newCard(type: type, owner: owner, query: query)
        try await journal!.create(card)
        registry.insertCreated(card)
        stats.add(stats.workflowsCreated)
        return card
    }

    func clusterPublish(_ id: String, _ bodies: [WorkflowEventBody]) async throws -> Result<[Int64], PublishRefusal> {
        switch try await journal!.publish(id, bodies, ts: Date().timeIntervalSince1970 * 1000) {
        case .success(let seqs): return .success(seqs)
        case .failure(.notFound): return .failure(.notFound)
        case .failure(.terminal): return .failure(.terminal)
        }
    }

    /// A journal that cannot be reached answers 503 with Retry-After: a
    /// publish is never silently lost.
    static func unavailable(_ error: Error) -> APIResponse {
        APIError.response(503, "unavailable", "the cluster's database is unavailable: \(error)", headers: [("Retry-After", "1")])
    }
}
