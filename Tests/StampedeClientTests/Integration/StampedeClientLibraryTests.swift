import NIOConcurrencyHelpers
import StampedeAuth
import StampedeContract
import StampedeJSON
import StampedeTestSupport
import Testing
@testable import StampedeClient

/// The async library against the real server: subscribe, survive a lost
/// connection without gaps, fall back to polling, end on terminal status.
@Suite(.timeLimit(.minutes(1))) struct StampedeClientLibraryTests {
    static func fastOptions() -> StampedeClientOptions {
        var o = StampedeClientOptions()
        o.backoff = ReconnectBackoff(initial: .milliseconds(50), maximum: .milliseconds(400))
        o.pollInterval = .milliseconds(100)
        o.eventLoopGroup = TestServer.clientGroup
        return o
    }

    static func node(_ n: Int) -> JSONValue { ["type": "node_update", "node": .string("n\(n)"), "status": "executing"] }
    static let done: JSONValue = ["type": "workflow_status", "status": "completed"]

    /// Collects a stream in the background so the test can act meanwhile.
    final class Collector: Sendable {
        private struct Inner {
            var events: [WorkflowUpdate] = []
            var error: StampedeClientError?
            var otherError = false
            var finished = false
        }
        private let inner = NIOLockedValueBox(Inner())
        var events: [WorkflowUpdate] { inner.withLockedValue { $0.events } }
        var isFinished: Bool { inner.withLockedValue { $0.finished } }
        var failed: Bool { inner.withLockedValue { $0.error != nil || $0.otherError } }

        init(_ s: AsyncThrowingStream<WorkflowUpdate, Error>) {
            let inner = self.inner
            Task {
                do {
                    for try await e in s { inner.withLockedValue { $0.events.append(e) } }
                } catch let e as StampedeClientError {
                    inner.withLockedValue { $0.error = e }
                } catch {
                    inner.withLockedValue { $0.otherError = true }
                }
                inner.withLockedValue { $0.finished = true }
            }
        }
    }

    @Test(arguments: ClientTransport.allCases)
    func subscribeYieldsTypedEventsAndEndsAfterTerminalStatus(transport: ClientTransport) async throws {
        let t = try await TestServer.start()
        let wf = try await t.createExternalWorkflow(for: "lib1")
        var o = Self.fastOptions()
        o.transport = transport
        let client = try LiveUpdatesClient(url: t.server.baseURL, token: try t.token("lib1"), options: o)
        try await client.connect()
        #expect(client.state.isConnected)
        try await t.publish(wf, [Self.node(1), Self.node(2)])  // before subscribing: replayed via since 0
        let c = Collector(client.subscribe(wf, since: 0))
        try await t.waitForSubscriptions(1)
        try await t.publish(wf, [Self.node(3), Self.done])
        #expect(await waitUntil { c.isFinished })
        #expect(c.events.map(\.seq) == [1, 2, 3, 4])
        #expect(c.events.last?.payload == .workflowStatus(.init(status: .completed)))
        #expect(!c.failed)
        await client.close()
        try await t.stop()
    }

    @Test func aRefusedTokenFailsConnect() async throws {
        let t = try await TestServer.start()
        let bad = try TokenMinter(secret: "wrong").mint(user: "x")
        let client = try LiveUpdatesClient(url: t.server.baseURL, token: bad, options: Self.fastOptions())
        await #expect(throws: StampedeClientError.unauthorized(.tokenInvalidSignature)) { try await client.connect() }
        #expect(client.state == .unauthorized(.tokenInvalidSignature))
        await client.close()
        try await t.stop()
    }

    @Test func reconnectsAndResubscribesWithSinceSoNothingIsLost() async throws {
        let t = try await TestServer.start()
        let wf = try await t.createExternalWorkflow(for: "lib2")
        var o = Self.fastOptions()
        o.pollingFallback = false  // the socket alone must recover the gap
        o.backoff = ReconnectBackoff(initial: .milliseconds(300), maximum: .milliseconds(300), jitter: 0)
        let client = try LiveUpdatesClient(url: t.server.baseURL, token: try t.token("lib2"), options: o)
        try await client.connect()
        let c = Collector(client.subscribe(wf))
        try await t.waitForSubscriptions(1)
        try await t.publish(wf, (1...3).map(Self.node))
        #expect(await waitUntil { c.events.count == 3 })
        let states = client.states
        await client.simulateConnectionLoss()
        // Published while the client is away: only `since` can bring them back.
        try await t.publish(wf, (4...6).map(Self.node))
        #expect(await waitUntil { client.state.isConnected })
        try await t.publish(wf, (7...8).map(Self.node) + [Self.done])
        #expect(await waitUntil { c.isFinished })
        #expect(c.events.map(\.seq) == (1...9).map { Int64($0) })
        var seen: [ConnectionState] = []
        for await s in states {
            seen.append(s)
            if seen.count >= 3 { break }
        }
        #expect(seen.contains { if case .reconnecting = $0 { true } else { false } })
        await client.close()
        try await t.stop()
    }

    @Test func pollsTheHTTPAPIWhileSocketsAreUnavailable() async throws {
        // One socket per user: a second connection of the same user is
        // refused with too_many_connections, so the library's socket cannot
        // come up while `blocker` holds the slot — but HTTP still works.
        let t = try await TestServer.start { $0.maxConnectionsPerUser = 1 }
        let wf = try await t.createExternalWorkflow(for: "lib3")
        let d = RecordingDelegate()
        let blocker = ClientConnection.connect(t.options(token: try t.token("lib3")), on: TestServer.clientGroup.next(), delegate: d)
        #expect(await d.waitConnected())
        var o = Self.fastOptions()
        o.connectTimeout = .milliseconds(500)
        let client = try LiveUpdatesClient(url: t.server.baseURL, token: try t.token("lib3"), options: o)
        await #expect(throws: StampedeClientError.timeout) { try await client.connect() }
        let c = Collector(client.subscribe(wf, since: 0))
        try await t.publish(wf, (1...4).map(Self.node))
        #expect(await waitUntil { c.events.count == 4 })
        #expect(!client.state.isConnected)
        // Once the slot frees, the socket takes over, continuing after seq 4.
        blocker.close(.clean)
        #expect(await waitUntil(seconds: 8) { client.state.isConnected })
        try await t.publish(wf, [Self.node(5), Self.done])
        #expect(await waitUntil { c.isFinished })
        #expect(c.events.map(\.seq) == [1, 2, 3, 4, 5, 6])
        await client.close()
        try await t.stop()
    }

    @Test func backoffGrowsCapsAndJitters() {
        let b = ReconnectBackoff(initial: .milliseconds(100), maximum: .seconds(1), multiplier: 2, jitter: 0.5)
        #expect(b.delay(attempt: 0, random: 0) == .milliseconds(100))
        #expect(b.delay(attempt: 3, random: 0) == .milliseconds(800))
        #expect(b.delay(attempt: 10, random: 0) == .seconds(1))
        #expect(b.delay(attempt: 10, random: 0.998) == .milliseconds(501))
        #expect(b.delay(attempt: 1, random: 0.5) == .milliseconds(150))
    }
}

