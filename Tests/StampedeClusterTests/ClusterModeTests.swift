import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StampedeClient
import StampedeCluster
import StampedeContract
import StampedeJSON
import StampedeServer
import Testing

extension ClusterSuites {
    /// Issue 11 over a real PostgreSQL and real sockets: several nodes on one
    /// database behave as one server.
    @Suite(.serialized) final class ClusterModeTests {
        private var h: ClusterHarness!

        /// Swift Testing makes one suite instance per test and releases it when the test
        /// ends; the async stop that XCTest's tearDown awaited runs behind it.
        deinit { Task { [h] in await h?.stop() } }

        @Test func testCreateOnOneNodePublishOnAnotherReadOnAThird() async throws {
            h = try await ClusterHarness.start(nodes: 3)
            let id = try await h.createWorkflow(on: 0, owner: "alice")
            let (status, seqs) = try await h.publish(on: 1, id, [ClusterHarness.step(1), ClusterHarness.step(2)])
            #expect(status == 201)
            #expect(seqs["seq"] == [1, 2])
            let (read, view) = try await h.call(2, "GET", "/api/v1/workflows/\(id)", token: h.token("alice"))
            #expect(read == 200)
            #expect(view["seq"] == 2)
            #expect(view["events"]?.arrayValue?.compactMap { $0["seq"]?.intValue } == [1, 2])
            let (other, _) = try await h.call(2, "GET", "/api/v1/workflows/\(id)", token: h.token("mallory"))
            #expect(other == 403, "ownership holds on every node")
            let (missing, _) = try await h.publish(on: 2, "wf_nope", [ClusterHarness.step(1)])
            #expect(missing == 404)
            let (_, _) = try await h.publish(on: 0, id, [#"{"type":"workflow_status","status":"completed"}"#])
            let (ended, _) = try await h.publish(on: 2, id, [ClusterHarness.step(9)])
            #expect(ended == 409, "terminal on every node")
        }

        /// Publishers on every node at once; a subscriber on every node sees
        /// each workflow's events exactly once, in seq order, with no gap.
        @Test func testOrderingAcrossNodesWithPublishersOnEveryNode() async throws {
            h = try await ClusterHarness.start(nodes: 3)
            let workflows = 4, perPublisher = 15
            var ids: [String] = []
            for w in 0..<workflows { ids.append(try await h.createWorkflow(on: w % 3, owner: "alice")) }
            var clients: [LiveUpdatesClient] = []
            var collectors: [Task<[String: [Int64]], Error>] = []
            for node in 0..<3 {
                let client = try LiveUpdatesClient(url: h.base(node), token: h.token("alice"))
                try await client.connect()
                clients.append(client)
                let streams = ids.map { ($0, client.subscribe($0, since: 0)) }
                collectors.append(Task {
                    var got: [String: [Int64]] = [:]
                    try await withThrowingTaskGroup(of: (String, [Int64]).self) { group in
                        for (id, stream) in streams {
                            group.addTask { (id, try await ClusterHarness.seqsUntilTerminal(stream).value) }
                        }
                        for try await (id, seqs) in group { got[id] = seqs }
                    }
                    return got
                })
            }
            // 3 nodes × each workflow × perPublisher batches of 1–3 events, concurrently.
            var total: [String: Int] = [:]
            let harness = h!
            try await withThrowingTaskGroup(of: (String, Int).self) { group in
                for node in 0..<3 {
                    for id in ids {
                        group.addTask {
                            var n = 0
                            for i in 0..<perPublisher {
                                let size = 1 + (i + node) % 3
                                let (status, _) = try await harness.publish(on: node, id, (0..<size).map { ClusterHarness.step($0) })
                                #expect(status == 201)
                                n += size
                            }
                            return (id, n)
                        }
                    }
                }
                for try await (id, n) in group { total[id, default: 0] += n }
            }
            for id in ids {
                try await h.publish(on: 1, id, [#"{"type":"workflow_status","status":"completed"}"#])
                total[id, default: 0] += 1
            }
            for (node, collector) in collectors.enumerated() {
                let got = try await withTimeout(seconds: 30) { try await collector.value }
                for id in ids {
                    #expect(got[id] == Array(1...Int64(total[id]!)), "node \(node), \(id): every event once, in order")
                }
            }
            for c in clients { await c.close() }
        }

        /// `since` on a node that never saw the workflow replays from the
        /// journal, then live events published elsewhere follow without a gap.
        @Test func testSinceReplayOnAnotherNodeThenLiveWithoutGap() async throws {
            h = try await ClusterHarness.start(nodes: 2) { $0.historyLimit = 1000 }
            let id = try await h.createWorkflow(on: 0, owner: "bob")
            try await h.publish(on: 0, id, (1...20).map { ClusterHarness.step($0) })
            let client = try LiveUpdatesClient(url: h.base(1), token: h.token("bob"))
            try await client.connect()
            let stream = client.subscribe(id, since: 5)
            let reader = ClusterHarness.seqsUntilTerminal(stream)
            try await Task.sleep(for: .milliseconds(300))
            try await h.publish(on: 0, id, (21...30).map { ClusterHarness.step($0) })
            try await h.publish(on: 1, id, [#"{"type":"workflow_status","status":"completed"}"#])
            let seqs = try await withTimeout(seconds: 20) { try await reader.value }
            #expect(seqs == Array(6...31))
            await client.close()
        }

        @Test func testSchemaMigrationIsIdempotentAcrossRestartsAndConcurrentStarts() async throws {
            h = try await ClusterHarness.start(nodes: 3)  // three nodes migrating one database at once
            let id = try await h.createWorkflow(on: 0, owner: "carol")
            try await h.publish(on: 0, id, [ClusterHarness.step(1)])
            var c = ServerConfiguration()
            c.port = 0
            c.jwtSecret = ClusterHarness.secret
            let again = try await ClusterNode.start(c, postgresURL: h.url)
            defer { Task { try? await again.shutdown() } }
            var r = URLRequest(url: URL(string: again.server.baseURL + "/api/v1/workflows/\(id)")!)
            r.setValue("Bearer \(h.token("carol"))", forHTTPHeaderField: "Authorization")
            let (data, _) = try await URLSession.shared.data(for: r)
            #expect(try JSONParser.parse(Array(data))["seq"] == 1, "a node started later reads the durable history")
        }
    }
}

func withTimeout<T: Sendable>(seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw CancellationError()
        }
        let first = try await group.next()!
        group.cancelAll()
        return first
    }
}
