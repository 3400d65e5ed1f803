import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StampedeServer
import Testing

extension ClusterSuites {
    /// `--reuse-port`: several nodes on one machine share a port (no database
    /// needed). Without the option the second bind fails, which is what makes
    /// this test able to fail.
    @Suite(.serialized) final class ReusePortTests {
        private func config(port: Int, reuse: Bool) -> ServerConfiguration {
            var c = ServerConfiguration()
            c.port = port
            c.reusePort = reuse
            c.eventLoopThreads = 1
            return c
        }

        @Test func testTwoNodesShareOnePortWithReusePort() async throws {
            let first = try await EmbeddedServer.start(config(port: 0, reuse: true))
            let second = try await EmbeddedServer.start(config(port: first.port, reuse: true))
            #expect(first.port == second.port)
            for _ in 0..<4 {
                let (data, _) = try await URLSession.shared.data(from: URL(string: first.baseURL + "/health")!)
                #expect(String(decoding: data, as: UTF8.self) == #"{"status":"ok"}"#)
            }
            try await second.shutdown()
            try await first.shutdown()
        }

        @Test func testWithoutReusePortTheSecondBindFails() async throws {
            let first = try await EmbeddedServer.start(config(port: 0, reuse: false))
            do {
                let second = try await EmbeddedServer.start(config(port: first.port, reuse: false))
                try await second.shutdown()
                Issue.record("a second server bound the same port without --reuse-port")
            } catch {}
            try await first.shutdown()
        }
    }
}
