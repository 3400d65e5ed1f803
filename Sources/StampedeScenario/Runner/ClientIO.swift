import NIOCore
import NIOPosix
import StampedeClient

/// Which I/O the simulated clients' WebSockets run on.
public enum ClientIO: String, Sendable, CaseIterable {
    /// The reactor where the run allows it (`ClientIO.reactorFits`), NIO channels otherwise.
    case auto
    /// One NIO channel per connection, on NIO's event loops: every transport, TLS, host names.
    case nio
    /// `ReactorLoop`: one epoll loop per thread reading plain WebSockets directly; refused for a
    /// run it cannot carry.
    case reactor

    /// Why the reactor cannot carry this run, or nil when it can: it speaks plain WebSocket to
    /// IP addresses on Linux, and nothing else (polling, upgrades and TLS need NIO's channels).
    static func reactorMisfit(_ scenario: Scenario, endpoints: [ServerEndpoint]) -> String? {
        #if !os(Linux)
        return "the reactor is Linux-only"
        #else
        for e in endpoints {
            if e.tls { return "\(e.host):\(e.port) is TLS" }
            if (try? SocketAddress(ipAddress: e.host, port: e.port)) == nil { return "\(e.host) is a host name, not an IP address" }
        }
        for g in scenario.groups {
            for case .connect(let c) in VirtualClient.flatten(g.steps) where c.transport != .websocket {
                return "group \(g.name) connects over \(c.transport.rawValue)"
            }
        }
        return nil
        #endif
    }

    /// The loops the clients run on — `count` reactors, or `count` of the NIO group's — and how
    /// to stop them once the run is over (the group's are the caller's to stop).
    static func loops(_ choice: ClientIO, count: Int, scenario: Scenario, endpoints: [ServerEndpoint],
                      group: MultiThreadedEventLoopGroup) -> Result<(loops: [EventLoop], stop: () -> Void), ClientIOError> {
        let misfit = reactorMisfit(scenario, endpoints: endpoints)
        if choice == .nio || (choice == .auto && misfit != nil) {
            return .success(((0..<count).map { _ in group.next() }, {}))
        }
        if let misfit { return .failure(ClientIOError(description: "--client-io reactor cannot carry this run: \(misfit)")) }
        #if os(Linux)
        do {
            let reactors = try (0..<count).map { i in try ReactorLoop(name: "stampede-reactor-\(i)") }
            return .success((reactors, { for r in reactors { r.syncShutdown() } }))
        } catch {
            return .failure(ClientIOError(description: "starting the reactor loops: \(error)"))
        }
        #else
        return .failure(ClientIOError(description: "the reactor is Linux-only"))
        #endif
    }
}

public struct ClientIOError: Error, CustomStringConvertible {
    public let description: String
}
