import Foundation
import NIOConcurrencyHelpers
import NIOCore
import StampedeContract

/// Runs the built-in search workflow (PROTOCOL §8): each step publishes
/// through the same registry path as any publisher, `stepDelay` apart.
/// One task per workflow run — orchestration, not the delivery path.
/// `cancel` stops a run between (or during) steps; the `cancelled` status
/// itself is published by whoever cancels, through the registry (or the
/// journal). In cluster mode a cancel on another node stops this run at
/// its next step, when the journal refuses it.
final class SearchWorkflowRunner: Sendable {
    let registry: WorkflowRegistry
    let provider: any SearchProvider
    let stepDelay: TimeAmount
    /// Cluster mode: steps are published through the journal.
    let journal: (any WorkflowJournal)?
    /// The running workflows' tasks, so a cancel can interrupt a pause or
    /// a provider call instead of waiting for the next step.
    private let tasks = NIOLockedValueBox<[String: Task<Void, Never>]>([:])

    init(registry: WorkflowRegistry, provider: any SearchProvider, stepDelay: TimeAmount, eventLoop: EventLoop,
         journal: (any WorkflowJournal)? = nil) {
        self.journal = journal
        self.registry = registry
        self.provider = provider
        self.stepDelay = stepDelay
    }

    func start(workflowID: String, query: String) {
        tasks.withLockedValue { running in
            running[workflowID] = Task {
                await self.run(workflowID: workflowID, query: query)
                _ = self.tasks.withLockedValue { $0.removeValue(forKey: workflowID) }
            }
        }
    }

    /// Interrupts the run of `workflowID`, if one is going on this node; it
    /// publishes nothing more (the workflow is terminal anyway).
    func cancel(workflowID: String) {
        tasks.withLockedValue { $0.removeValue(forKey: workflowID) }?.cancel()
    }

    /// Runs still going (tests).
    var runningCount: Int { tasks.withLockedValue { $0.count } }

    private func pause() async {
        guard stepDelay.nanoseconds > 0 else { return }
        try? await Task.sleep(nanoseconds: UInt64(stepDelay.nanoseconds))
    }

    /// Publishes one event; false when the workflow was ended by someone
    /// else (a `service` publisher may cancel it), which stops the run.
    private func emit(_ id: String, _ body: WorkflowEventBody) async -> Bool {
        await pause()
        if Task.isCancelled { return false }
        if let journal {
            let ts = Date().timeIntervalSince1970 * 1000
            guard case .success? = try? await journal.publish(id, [body], ts: ts) else { return false }
            return true
        }
        if case .failure = registry.publish(id, [body]) { return false }
        return true
    }

    func run(workflowID id: String, query: String) async {
        guard await emit(id, .workflowStatus(.running)),
              await emit(id, .nodeUpdate(node: "analyze_query", status: .executing)),
              await emit(id, .nodeUpdate(node: "analyze_query", status: .completed, message: "Query analysed")),
              await emit(id, .toolUpdate(tool: "WebSearchTool", status: .executing, message: "Searching for \(query.debugDescription)"))
        else { return }
        let started = ContinuousClock.now
        let results: [SearchResult]
        do {
            results = try await provider.search(query)
        } catch {
            _ = await emit(id, .toolUpdate(tool: "WebSearchTool", status: .failed, message: "\(error)"))
            _ = await emit(id, .workflowStatus(.failed, error: "search failed: \(error)"))
            return
        }
        let elapsed = ContinuousClock.now - started
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        guard await emit(id, .toolUpdate(tool: "WebSearchTool", status: .completed, message: "Found \(results.count) results",
                                         executionTimeMs: (ms * 1000).rounded() / 1000)),
              await emit(id, .nodeUpdate(node: "synthesize", status: .executing))
        else { return }
        let synthesis: String
        do {
            synthesis = try await provider.synthesize(query, results)
        } catch {
            _ = await emit(id, .nodeUpdate(node: "synthesize", status: .failed, message: "\(error)"))
            _ = await emit(id, .workflowStatus(.failed, error: "synthesis failed: \(error)"))
            return
        }
        guard await emit(id, .nodeUpdate(node: "synthesize", status: .completed)),
              await emit(id, .searchResults(query: query, results: results, synthesis: synthesis))
        else { return }
        _ = await emit(id, .workflowStatus(.completed))
    }
}
