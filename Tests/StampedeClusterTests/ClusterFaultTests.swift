import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StampedeClient
import StampedeCluster
import StampedeServer
import Testing

extension ClusterSuites {
    /// Issue 11 §8: faults, with nothing lost. PostgreSQL itself is stopped and
    /// started here, so these tests run on a scratch cluster of their own
    /// (scripts/pg-scratch.sh), never on the shared test database.
    @Suite(.serialized) final class ClusterFaultTests {
        private var pgDir: String?
        private var h: ClusterHarness!

        private static var script: String {
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("scripts/pg-scratch.sh").path
        }

        private func pg(_ args: [String]) throws -> [String] { try Self.pg(args) }

        private static func pg(_ args: [String]) throws -> [String] {
            // Output through a file, not a pipe: the server started by the
            // script outlives it and must not hold our end open.
            let outFile = FileManager.default.temporaryDirectory.appendingPathComponent("pg-scratch-\(UUID().uuidString).out")
            defer { try? FileManager.default.removeItem(at: outFile) }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = ["-c", "bash \"$0\" \"$@\" > \"\(outFile.path)\" 2>/dev/null < /dev/null", Self.script] + args
            try p.run()
            p.waitUntilExit()
            let data = (try? Data(contentsOf: outFile)) ?? Data()
            guard p.terminationStatus == 0 else { try Test.cancel("scripts/pg-scratch.sh \(args.joined(separator: " ")) failed: PostgreSQL server binaries missing?") }
            return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        }

        /// Swift Testing makes one suite instance per test and releases it when the test
        /// ends; the async stop that XCTest's tearDown awaited runs behind it.
        deinit {
            let harness = h
            let stopArguments = pgDir.map { ["stop", $0] }
            Task {
                await harness?.stop()
                if let stopArguments { _ = try? ClusterFaultTests.pg(stopArguments) }
            }
        }

        @Test func testPostgresRestartMidRunRefusesPublishesThenLosesNothing() async throws {
            guard TestPostgres.serverURL != nil else { try Test.cancel("no PostgreSQL (STAMPEDE_TEST_POSTGRES_URL unset)") }
            let lines = try pg(["start", String(Int.random(in: 56_000...60_000))])
            pgDir = lines.first
            h = try await ClusterHarness.start(nodes: 2, databaseURL: lines.last!)
            let id = try await h.createWorkflow(on: 0, owner: "dora")
            let client = try LiveUpdatesClient(url: h.base(1), token: h.token("dora"))
            try await client.connect()
            let stream = client.subscribe(id, since: 0)
            let reader = ClusterHarness.seqsUntilTerminal(stream)
            var acknowledged = 0
            for i in 0..<10 {
                let (s, _) = try await h.publish(on: 0, id, [ClusterHarness.step(i)])
                if s == 201 { acknowledged += 1 }
            }
            _ = try pg(["stop-server", pgDir!])
            let (down, body) = try await h.publish(on: 0, id, [ClusterHarness.step(99)])
            #expect(down == 503, "never a silent loss: \(body)")
            _ = try pg(["start-server", pgDir!])
            // The pool reconnects; publishing works again on both nodes.
            var again = 0
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline, again == 0 {
                let (s, _) = try await h.publish(on: 0, id, [ClusterHarness.step(100)])
                if s == 201 { again = 1 } else { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(again == 1, "publishing resumed after the restart")
            for i in 0..<10 {
                let (s, _) = try await h.publish(on: i % 2, id, [ClusterHarness.step(200 + i)])
                if s == 201 { acknowledged += 1 }
            }
            let (end, _) = try await h.publish(on: 1, id, [#"{"type":"workflow_status","status":"completed"}"#])
            #expect(end == 201)
            let total = acknowledged + again + 1
            let seqs = try await withTimeout(seconds: 30) { try await reader.value }
            #expect(seqs == Array(1...Int64(total)), "every acknowledged event once, in order, after the restart")
            await client.close()
        }
    }
}
