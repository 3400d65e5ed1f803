import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import StampedeClient
import StampedeJSON
import Testing

/// A low-level Socket.IO client on a cluster node, recording what it gets:
/// the CONNECT answer (sid, pid) or refusal, and events with their offsets.
final class RecordedSocket: ClientConnectionDelegate, @unchecked Sendable {
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let box = NIOLockedValueBox<(connected: (sid: String, pid: String?)?, refused: JSONValue?, events: [ReceivedEvent], closed: Bool)>(
        (nil, nil, [], false))
    private(set) var connection: ClientConnection!

    var connected: (sid: String, pid: String?)? { box.withLockedValue { $0.connected } }
    var refused: JSONValue? { box.withLockedValue { $0.refused } }
    var events: [ReceivedEvent] { box.withLockedValue { $0.events } }
    var closed: Bool { box.withLockedValue { $0.closed } }
    var seqs: [Int64] { events.compactMap(\.seq) }

    /// Connects to `url` as `token`'s user, optionally recovering a session.
    static func open(_ url: String, token: String, recovery: (pid: String, offset: String)? = nil,
                     transport: ClientTransport = .websocket, localAddress: String? = nil) async throws -> RecordedSocket {
        let s = RecordedSocket()
        var o = ClientOptions(endpoint: try ServerEndpoint(url: url), transport: transport, auth: ["token": .string(token)],
                              connectTimeout: .seconds(5))
        o.recovery = recovery
        o.localAddress = localAddress
        s.connection = ClientConnection.connect(o, on: group.next(), delegate: s)
        _ = await s.until { $0.connected != nil || $0.refused != nil || $0.closed }
        return s
    }

    func subscribe(_ workflowID: String, since: Int64? = nil) async throws {
        var request: JSONObject = ["workflow_id": .string(workflowID)]
        if let since { request["since"] = .int(since) }
        _ = try await connection.request("subscribe", [.object(request)])
    }

    /// Polls until `condition` holds; false after 10 s.
    func until(_ condition: @escaping (RecordedSocket) -> Bool) async -> Bool {
        for _ in 0..<1000 {
            if condition(self) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition(self)
    }

    func connectionDidConnect(_ c: ClientConnection, sid: String, pid: String?) { box.withLockedValue { $0.connected = (sid, pid) } }
    func connectionDidFailToConnect(_ c: ClientConnection, error: JSONValue) { box.withLockedValue { $0.refused = error } }
    func connection(_ c: ClientConnection, didReceive event: ReceivedEvent) { box.withLockedValue { $0.events.append(event) } }
    func connectionDidClose(_ c: ClientConnection, reason: ClientCloseReason) { box.withLockedValue { $0.closed = true } }
}

/// Polls `body` until it returns true (at most `seconds`): cluster figures
/// converge within a heartbeat or two, never at a fixed instant.
func eventually(seconds: Double = 10, _ body: () async throws -> Bool) async rethrows -> Bool {
    let tries = Int(seconds * 20)
    for _ in 0..<tries {
        if try await body() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await body()
}
