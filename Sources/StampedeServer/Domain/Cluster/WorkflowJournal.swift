import StampedeContract
import StampedeJSON

/// The durable, shared log behind cluster mode (`stampede serve --postgres`):
/// several nodes on one database. The journal assigns `seq` and the global
/// position in one transaction per publish and tells every node; each node
/// applies what it is told, in position order, to its own registry, which
/// fans out as on a single node. Without a journal the registry is the
/// whole truth (the embedded default).
public protocol WorkflowJournal: Sendable {
    /// Records a new workflow (the creating node adopts it at once).
    func create(_ card: TaskCard) async throws
    /// Appends a batch atomically, as `WorkflowRegistry.publish` does.
    func publish(_ id: String, _ bodies: [WorkflowEventBody], ts: Double) async throws -> Result<[Int64], JournalRefusal>
    /// Reads a workflow this node has not seen (created or first read
    /// elsewhere) with its retained events and hands it to `adopt` in step
    /// with the node's applied position — no event may fall between the
    /// read and the first one applied after it. False: no such workflow.
    func load(_ id: String, historyLimit: Int, adopt: @escaping @Sendable (JournaledWorkflow) -> Void) async throws -> Bool
}

public enum JournalRefusal: Error, Equatable, Sendable {
    case notFound
    case terminal
}

/// One event as the journal stores it; `position` is the cluster-wide
/// offset (connection state recovery).
public struct JournaledEvent: Sendable {
    public let workflowID: String
    public let seq: Int64
    public let position: UInt64
    public let ts: Double
    public let body: WorkflowEventBody

    public init(workflowID: String, seq: Int64, position: UInt64, ts: Double, body: WorkflowEventBody) {
        self.workflowID = workflowID
        self.seq = seq
        self.position = position
        self.ts = ts
        self.body = body
    }
}

public struct JournaledWorkflow: Sendable {
    public let card: TaskCard
    public let lastSeq: Int64
    public let events: [JournaledEvent]

    public init(card: TaskCard, lastSeq: Int64, events: [JournaledEvent]) {
        self.card = card
        self.lastSeq = lastSeq
        self.events = events
    }
}
