import Foundation
import Logging
import NIOConcurrencyHelpers
import StampedeServer

/// One `stampede serve --postgres URL` node: the real server with its Hub
/// on the shared journal, and its heartbeat in the nodes table. Any number
/// of nodes may share one database.
public struct ClusterNode: Sendable {
    public let server: EmbeddedServer
    public let journal: PostgresJournal
    /// `--node-id`, or host:port:random.
    public let nodeID: String
    let heartbeat: NodeHeartbeat
    let sessions: PostgresSessions
    /// Shutdown runs once (a second one would wait on stopped event loops).
    private let stopped = NIOLockedValueBox(false)

    public static func start(_ configuration: ServerConfiguration, postgresURL: String, nodeID: String? = nil,
                             logger: Logger = Logger(label: "stampede.cluster")) async throws -> ClusterNode {
        let journal = try await PostgresJournal.start(url: postgresURL, historyLimit: configuration.historyLimit,
                                                     publishBatch: configuration.clusterPublishBatch, logger: logger)
        let heartbeat = NodeHeartbeat(journal: journal)
        let sessions = PostgresSessions(client: journal.client, logger: logger,
                                        keepForSeconds: Double(configuration.maxDisconnectionDurationMs) / 1000)
        let built = NIOLockedValueBox<Hub?>(nil)
        do {
            let server = try await EmbeddedServer.start(configuration) { c, group in
                var settings = HubSettings(c)
                settings.journal = journal
                settings.presence = heartbeat
                settings.sharedSessions = sessions
                let hub = try Hub(settings: settings, eventLoopGroup: group)
                try await hub.ready()
                journal.attach { hub.applyJournaled($0) }
                built.withLockedValue { $0 = hub }
                return hub
            }
            let hub = built.withLockedValue { $0 }!
            let id = nodeID ?? "\(configuration.host):\(server.port):\(UUID().uuidString.prefix(8).lowercased())"
            heartbeat.attach(nodeID: id, figures: { hub.nodeFigures() }, remote: { hub.setRemoteSockets($0) })
            return ClusterNode(server: server, journal: journal, nodeID: id, heartbeat: heartbeat, sessions: sessions)
        } catch {
            await sessions.drain()
            await heartbeat.leave()
            await journal.stop()
            throw error
        }
    }

    /// Graceful: closing the sockets keeps their sessions in the database
    /// (any node recovers them), then the node leaves the heartbeat table.
    public func shutdown() async throws {
        let first = stopped.withLockedValue { s in
            defer { s = true }
            return !s
        }
        guard first else { return }
        try await server.shutdown()
        await sessions.drain()
        await heartbeat.leave()
        await journal.stop()
    }
}
