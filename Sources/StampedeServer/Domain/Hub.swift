import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import SocketIOWire
import StampedeAuth
import StampedeContract
import StampedeJSON

/// The workflow domain behind the transport: authentication, sockets,
/// subscriptions, the workflow registry and fan-out, limits, stats and the
/// HTTP API. The transport talks to it only through `SocketDomain` and
/// `APIHandler` (Boundary/TransportBoundary.swift).
public final class Hub: Sendable {
    let settings: HubSettings
    let verifier: TokenVerifier
    let stats = ServerStats()
    let registry: WorkflowRegistry
    let fanouts: FanoutDirectory
    let users: UserConnections
    let recovery: RecoveryStore
    let creationLimiter: PerUserRateLimiter
    let metrics: MetricsExporter
    let searchRunner: SearchWorkflowRunner
    let log: ServerLog
    private let sweeper: NIOLockedValueBox<RepeatedTask?> = .init(nil)

    public init(settings: HubSettings, eventLoopGroup: EventLoopGroup) throws {
        self.settings = settings
        log = settings.log
        verifier = try TokenVerifier(settings.verifier)
        fanouts = FanoutDirectory(group: eventLoopGroup, stats: stats)
        registry = WorkflowRegistry(fanouts: fanouts, historyLimit: settings.historyLimit,
                                    terminalRetention: settings.terminalRetention, idleRetention: settings.idleRetention,
                                    offsetsOnEvents: settings.limits.connectionStateRecovery, stats: stats)
        users = UserConnections(limit: settings.maxConnectionsPerUser)
        recovery = RecoveryStore(keepFor: settings.maxDisconnectionDuration)
        creationLimiter = PerUserRateLimiter(rate: settings.limits.workflowCreatesPerSecond, burst: settings.limits.workflowCreateBurst)
        metrics = MetricsExporter(build: settings.build)
        searchRunner = SearchWorkflowRunner(registry: registry, provider: settings.searchProvider,
                                            stepDelay: settings.stepDelay, eventLoop: eventLoopGroup.next(),
                                            journal: settings.journal)
        let registry = self.registry, recovery = self.recovery
        sweeper.withLockedValue {
            $0 = eventLoopGroup.next().scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
                registry.sweep()
                recovery.sweep()
            }
        }
    }

    /// Waits for the key set (a bad JWKS file fails here, before listening).
    public func ready() async throws { try await verifier.ready() }

    /// Stops background timers; sockets are closed by the transport.
    public func stop() {
        sweeper.withLockedValue { $0?.cancel(); $0 = nil }
    }

    public var statsSnapshot: StatsSnapshot {
        stats.snapshot(uniqueUsers: users.uniqueUsers, activeWorkflows: registry.activeWorkflows,
                       runningWorkflows: registry.runningWorkflows)
    }
}
