import Logging
import StampedeServer

/// One `stampede serve --postgres URL` node: the real server with its Hub
/// on the shared journal. Any number of nodes may share one database.
public struct ClusterNode: Sendable {
    public let server: EmbeddedServer
    public let journal: PostgresJournal

    public static func start(_ configuration: ServerConfiguration, postgresURL: String,
                             logger: Logger = Logger(label: "stampede.cluster")) async throws -> ClusterNode {
        let journal = try await PostgresJournal.start(url: postgresURL, historyLimit: configuration.historyLimit, logger: logger)
        do {
            let server = try await EmbeddedServer.start(configuration) { c, group in
                var settings = HubSettings(c)
                settings.journal = journal
                let hub = try Hub(settings: settings, eventLoopGroup: group)
                try await hub.ready()
                journal.attach { hub.applyJournaled($0) }
                return hub
            }
            return ClusterNode(server: server, journal: journal)
        } catch {
            await journal.stop()
            throw error
        }
    }

    public func shutdown() async throws {
        try await server.shutdown()
        await journal.stop()
    }
}
