import Foundation
import StampedeCluster
import StampedeJSON
import Testing

extension ClusterSuites {
    /// Issue 11 item 8: a node killed with `kill -9` mid-publish. Its clients
    /// reconnect to another node and resume with `since`: per client, every
    /// event once — 0 lost, 0 duplicated. The dead node's heartbeat rows go
    /// once it has been silent for 3 s.
    @Suite(.serialized) final class ClusterKillTests {
        private var h: ClusterHarness!
        private var victim: ServeProcess?

        /// Swift Testing makes one suite instance per test and releases it when the test
        /// ends; the async stop that XCTest's tearDown awaited runs behind it.
        deinit {
            victim?.kill()
            Task { [h] in await h?.stop() }
        }

        @Test func testAKilledNodesClientsResumeOnAnotherNodeWithNothingLostOrDuplicated() async throws {
            h = try await ClusterHarness.start(nodes: 1)
            let victim = try ServeProcess.start(postgres: h.url, nodeID: "victim", secret: ClusterHarness.secret)
            self.victim = victim
            let wf = try await h.createWorkflow(on: 0, owner: "alice")
            let clients = 4
            var onVictim: [RecordedSocket] = []
            for _ in 0..<clients {
                let s = try await RecordedSocket.open(victim.baseURL, token: h.token("alice"))
                #expect(s.connected != nil)
                try await s.subscribe(wf, since: 0)
                onVictim.append(s)
                h.keep(s)
            }

            let listed = try await eventually {
                try await h.stats(on: 0)["nodes"]?.arrayValue?.contains { $0["node_id"]?.stringValue == "victim" } == true
            }
            #expect(listed, "the victim's heartbeat is in the cluster's stats")

            // Publishers on both nodes; the victim's turn falls to the survivor once it is gone.
            let harness = h!, total = 120, killAt = 40
            let survivor = h.base(0)
            let publisher = Task {
                var victimUp = true
                for i in 1...total {
                    if i == killAt { victim.kill(); victimUp = false }
                    let body = "[" + ClusterHarness.step(i) + "]"
                    if victimUp, i % 2 == 0, (try? await ClusterHarness.post(victim.baseURL, wf, body, token: harness.token("svc", role: .service))) == 201 {
                        continue
                    }
                    while (try? await ClusterHarness.post(survivor, wf, body, token: harness.token("svc", role: .service))) != 201 {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
            }

            // Each client: when its node dies, reconnect to the survivor and resume from the last seq it saw.
            let resumed = try await withThrowingTaskGroup(of: (Int, RecordedSocket).self) { group in
                for (i, old) in onVictim.enumerated() {
                    group.addTask {
                        _ = await old.until { $0.closed }
                        let fresh = try await RecordedSocket.open(survivor, token: harness.token("alice"))
                        try await fresh.subscribe(wf, since: old.seqs.last ?? 0)
                        return (i, fresh)
                    }
                }
                var all: [(Int, RecordedSocket)] = []
                for try await s in group { all.append(s) }
                return all.sorted { $0.0 < $1.0 }.map(\.1)
            }
            resumed.forEach(h.keep)
            try await publisher.value
            try await h.publish(on: 0, wf, [#"{"type":"workflow_status","status":"completed"}"#])
            let last = Int64(try h.sql("SELECT seq FROM stampede_workflows WHERE id = '\(wf)'"))!
            #expect(last >= Int64(total + 1), "every acknowledged publish is in the journal")
            for (i, old) in onVictim.enumerated() {
                let mine = resumed[i]
                let done = await mine.until { ($0.seqs.last ?? 0) >= last }
                #expect(done, "client \(i) reached seq \(last)")
                let seen = old.seqs + mine.seqs
                #expect(seen == Array(1...last), "client \(i): every event once, in order, across the kill")
            }
            let reaped = try await eventually(seconds: 15) {
                let s = try await h.stats(on: 0)
                return s["nodes"]?.arrayValue?.count == 1 && s["total_connections"] == .int(Int64(clients))
            }
            #expect(reaped, "the killed node's rows go after 3 s of silence")
        }
    }
}
