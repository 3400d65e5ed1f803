import Foundation
import StampedeAuth
import StampedeClient
import StampedeJSON
import Testing

/// Not a timed test: a measurement run only when asked, against a server
/// in another process so the figure is the client's alone.
///
///     stampede serve --port 9100 --jwt-secret s --max-connections-per-user 1000 &
///     STAMPEDE_CAPACITY_URL=http://127.0.0.1:9100 STAMPEDE_CAPACITY_SECRET=s STAMPEDE_CAPACITY_N=10000 \
///       swift test --skip-build --filter CapacityMeasurement
///
/// It prints connect rate and resident memory per connected client.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["STAMPEDE_CAPACITY_URL"] != nil))
struct CapacityMeasurement {
    final class Counter: ClientConnectionDelegate, @unchecked Sendable {
        let lock = NSLock()
        var connected = 0, closed = 0
        func connectionDidConnect(_ c: ClientConnection, sid: String, pid: String?) { lock.withLock { connected += 1 } }
        func connectionDidFailToConnect(_ c: ClientConnection, error: JSONValue) {}
        func connection(_ c: ClientConnection, didReceive event: ReceivedEvent) {}
        func connectionDidClose(_ c: ClientConnection, reason: ClientCloseReason) { lock.withLock { closed += 1 } }
    }

    static func residentBytes() -> Int {
        guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let f = s.split(separator: " ")
        return (Int(f[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test func manyWebSocketClientsInOneProcess() async throws {
        let env = ProcessInfo.processInfo.environment
        let n = Int(env["STAMPEDE_CAPACITY_N"] ?? "5000") ?? 5000
        let endpoint = try ServerEndpoint(url: env["STAMPEDE_CAPACITY_URL"]!)
        let minter = TokenMinter(secret: env["STAMPEDE_CAPACITY_SECRET"] ?? "dev-secret")
        let tokens = try (0..<max(1, n / 500)).map { try minter.mint(user: "cap-\($0)") }
        let group = TestServer.clientGroup
        let counter = Counter()
        let before = Self.residentBytes()
        let start = ContinuousClock.now
        var connections: [ClientConnection] = []
        connections.reserveCapacity(n)
        for i in 0..<n {
            var o = ClientOptions.token(tokens[i % tokens.count], endpoint: endpoint)
            o.localAddress = "127.0.0.\(2 + i / 20_000)"
            o.connectTimeout = .seconds(60)
            connections.append(ClientConnection.connect(o, on: group.next(), delegate: counter))
            if i % 500 == 499 {
                while counter.lock.withLock({ counter.connected + counter.closed }) < i - 1000 {
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
        }
        while counter.lock.withLock({ counter.connected + counter.closed }) < n {
            try await Task.sleep(for: .milliseconds(20))
        }
        let elapsed = ContinuousClock.now - start
        try await Task.sleep(for: .seconds(2))
        let after = Self.residentBytes()
        let ok = counter.lock.withLock { counter.connected }
        print(String(format: "capacity: %d/%d connected in %.2f s (%.0f/s), resident +%.1f MB, %.2f KB per client",
                     ok, n, elapsed.seconds, Double(ok) / elapsed.seconds, Double(after - before) / 1e6,
                     Double(after - before) / 1024 / Double(max(ok, 1))))
        #expect(ok == n)
        for c in connections { c.close(.abrupt) }
        while counter.lock.withLock({ counter.closed }) < n { try await Task.sleep(for: .milliseconds(20)) }
    }
}


extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
