import NIOCore
import NIOPosix
import StampedeClient

/// Which I/O the simulated clients' WebSockets run on.
public enum ClientIO: String, Sendable, CaseIterable {
    /// The reactor for every group it can carry, NIO channels for the rest (and for a run whose
    /// target it cannot reach: TLS, a host name, not Linux).
    case auto
    /// One NIO channel per connection, on NIO's event loops: every transport, TLS, host names.
    case nio
    /// Like `auto`, but a run with nothing the reactor can carry is refused rather than run on NIO.
    case reactor
}

/// The loops a run's clients live on: reactor loops for plain-WebSocket groups, NIO's loops for
/// the others, and which of them each group's clients are spread over.
struct ClientLoops {
    var loops: [EventLoop]
    /// Indices into `loops`, per scenario group.
    var poolOfGroup: [[Int]]
    /// How many of `loops` are reactors (they come first).
    var reactorCount: Int
    /// The loop (index into `loops`) the scenario's publishers run on: always one of NIO's, so
    /// their HTTP connections live on the very loop that schedules them and a publish never
    /// hops between threads (a reactor run adds one NIO loop that holds no clients for this).
    var publisherLoop: Int
    /// Stops the reactors once the run is over (the NIO group is the caller's to stop).
    var stop: () -> Void

    /// For the report: which groups ran on which I/O, e.g. `reactor: subscriber; nio: poller`.
    func summary(_ scenario: Scenario) -> String {
        let onReactor = zip(scenario.groups, poolOfGroup).filter { $0.1.first.map { $0 < reactorCount } ?? false }.map(\.0.name)
        let onNIO = zip(scenario.groups, poolOfGroup).filter { $0.1.first.map { $0 >= reactorCount } ?? true }.map(\.0.name)
        return [("reactor", onReactor), ("nio", onNIO)].filter { !$0.1.isEmpty }
            .map { "\($0.0): \($0.1.joined(separator: ", "))" }.joined(separator: "; ")
    }

    /// Why the reactor cannot reach the target at all, or nil: it speaks plain TCP to IP
    /// addresses, on Linux.
    static func targetMisfit(_ endpoints: [ServerEndpoint]) -> String? {
        #if !os(Linux)
        return "the reactor is Linux-only"
        #else
        for e in endpoints {
            if e.tls { return "\(e.host):\(e.port) is TLS" }
            if (try? SocketAddress(ipAddress: e.host, port: e.port)) == nil { return "\(e.host) is a host name, not an IP address" }
        }
        return nil
        #endif
    }

    /// Whether the reactor can carry a group: every connect it makes is a plain WebSocket
    /// (polling and polling-then-upgrade need NIO's HTTP channels).
    static func reactorCarries(_ group: ClientGroup) -> Bool {
        for case .connect(let c) in VirtualClient.flatten(group.steps) where c.transport != .websocket { return false }
        return true
    }

    static func make(_ choice: ClientIO, count: Int, scenario: Scenario, endpoints: [ServerEndpoint],
                     group: MultiThreadedEventLoopGroup) -> Result<ClientLoops, ClientIOError> {
        let nio: [EventLoop] = (0..<count).map { _ in group.next() }
        let carried = scenario.groups.map(reactorCarries)
        let misfit = targetMisfit(endpoints) ?? (carried.contains(true) ? nil : "no group connects over plain WebSocket only")
        if choice == .nio || (choice == .auto && misfit != nil) {
            return .success(ClientLoops(loops: nio, poolOfGroup: scenario.groups.map { _ in Array(0..<count) }, reactorCount: 0,
                                        publisherLoop: 0, stop: {}))
        }
        if let misfit { return .failure(ClientIOError(description: "--client-io reactor cannot carry this run: \(misfit)")) }
        #if os(Linux)
        let reactors: [ReactorLoop]
        do { reactors = try (0..<count).map { i in try ReactorLoop(name: "reactor-\(i)") } } catch {
            return .failure(ClientIOError(description: "starting the reactor loops: \(error)"))
        }
        // NIO's loops hold clients only when some group needs them; the first is there anyway,
        // for the publishers (publishing from a reactor cost a wake-up of NIO's thread to send
        // each request and one of the reactor's to hear its answer).
        let needsNIO = carried.contains(false)
        let loops = reactors as [EventLoop] + (needsNIO ? nio : [nio[0]])
        let pools = carried.map { $0 ? Array(0..<count) : Array(count..<(2 * count)) }
        return .success(ClientLoops(loops: loops, poolOfGroup: pools, reactorCount: count, publisherLoop: count,
                                    stop: { for r in reactors { r.syncShutdown() } }))
        #else
        return .failure(ClientIOError(description: "the reactor is Linux-only"))
        #endif
    }
}

public struct ClientIOError: Error, CustomStringConvertible {
    public let description: String
}
