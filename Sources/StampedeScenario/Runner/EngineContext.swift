import NIOCore
import StampedeClient
import StampedeJSON

/// Everything the virtual clients share, read-only once the run starts (so it is Sendable
/// without locks). Mutable per-loop state lives in `LoopShard`s reached through `NIOLoopBound`.
final class EngineContext: Sendable {
    let scenario: Scenario
    let plan: LoadPlan
    let assignment: ClientAssignment
    /// The first node: setup, stats, cleanup.
    let endpoint: ServerEndpoint
    let http: HTTPClient
    /// Every node of the target (the first included): client i connects to node i mod N and
    /// publishes there; a background publisher sends workflow w's events to node w mod N.
    let nodes: [Node]
    let tokens: TokenBook
    /// Scenario workflow ids by index, created during setup.
    let workflowIDs: [String]
    let ledger: CheckLedger
    /// Monotonic µs of the run's zero (phase 0 start).
    let startMicros: UInt64
    /// Source addresses to spread connections over (empty = the kernel's choice).
    let localAddresses: [String]
    let checks: Set<CheckKind>
    /// How late a ping may be before `heartbeat` counts it (option `tolerance`, default 500ms).
    let heartbeatSlackMicros: UInt64

    struct Node: Sendable {
        let endpoint: ServerEndpoint
        let http: HTTPClient
    }

    init(scenario: Scenario, plan: LoadPlan, nodes: [Node], tokens: TokenBook,
         workflowIDs: [String], ledger: CheckLedger, startMicros: UInt64, localAddresses: [String]) {
        self.scenario = scenario
        self.plan = plan
        assignment = ClientAssignment(scenario: scenario)
        self.nodes = nodes
        endpoint = nodes[0].endpoint
        http = nodes[0].http
        self.tokens = tokens
        self.workflowIDs = workflowIDs
        self.ledger = ledger
        self.startMicros = startMicros
        self.localAddresses = localAddresses
        checks = Set(scenario.checks.map(\.kind))
        let tolerance = scenario.checks.first { $0.kind == .heartbeat }?.options["tolerance"]
        heartbeatSlackMicros = UInt64((tolerance?.stringValue.flatMap(DurationText.seconds) ?? tolerance?.doubleValue.map { $0 / 1000 } ?? 0.5) * 1_000_000)
    }

    func node(forClient index: Int) -> Node { nodes[index % nodes.count] }
    func node(forWorkflow index: Int) -> Node { nodes[index % nodes.count] }

    /// Seconds since the run's zero.
    func now() -> Double { Double(Int64(EngineClock.monotonicMicros()) - Int64(startMicros)) / 1_000_000 }

    func micros(atOffset t: Double) -> UInt64 { startMicros &+ UInt64(max(0, t) * 1_000_000) }

    func workflowID(_ ref: WorkflowRef, client: Int, created: String?) -> String? {
        switch ref {
        case .own: return assignment.ownWorkflow(client).map { workflowIDs[$0] }
        case .other: return assignment.otherWorkflow(client).map { workflowIDs[$0] }
        case .unknown: return "stampede-unknown-\(client)"
        case .created: return created
        case .index(let i): return i < workflowIDs.count ? workflowIDs[i] : nil
        }
    }

    func report(_ check: CheckKind, client: Int, workflow: String?, expected: String, seen: String) {
        guard checks.contains(check) else { return }
        ledger.report(Violation(check: check, client: client, workflow: workflow, expected: expected, seen: seen, at: now()))
    }
}

/// One event loop's mutable state: its recorder and its live clients.
final class LoopShard {
    let recorder = LoopRecorder()
    var clients: [Int: VirtualClient] = [:]
    /// Closed-model clients in start order, so ramp-downs retire the oldest.
    var closedOrder: [Int] = []
}
