import Foundation
import NIOCore
import StampedeClient
import StampedeJSON
import Testing

extension ClusterSuites {
    /// Issue 11 item 9: `deploy/nginx.conf` (Debian's nginx) in front of three
    /// nodes. Long-polling sessions from several client addresses stick to a
    /// node each; polling-then-upgrade and straight WebSocket work through it;
    /// events published on any node reach them all. Skips without nginx.
    @Suite(.serialized) final class NginxFrontTests {
        private var h: ClusterHarness!
        private var nginx: Process?
        private var prefix: URL?

        /// Swift Testing makes one suite instance per test and releases it when the test
        /// ends; the async stop that XCTest's tearDown awaited runs behind it.
        deinit {
            // SIGKILL: it inherits the test thread's blocked signals, so SIGTERM never arrives.
            if let nginx, nginx.isRunning { kill(nginx.processIdentifier, SIGKILL); nginx.waitUntilExit() }
            if let prefix { try? FileManager.default.removeItem(at: prefix) }
            Task { [h] in await h?.stop() }
        }

        static let nginxBinary = ["/usr/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) }

        /// The shipped config with the nodes' real ports and a free listen port,
        /// inside a minimal main config of its own (temp paths, no daemon).
        private func startNginx(nodes: [Int]) throws -> Int {
            guard let binary = Self.nginxBinary else { try Test.cancel("nginx is not installed (Debian package nginx; .ci/run installs it)") }
            let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            var site = try String(contentsOf: repo.appendingPathComponent("deploy/nginx.conf"), encoding: .utf8)
            for (i, port) in nodes.enumerated() { site = site.replacingOccurrences(of: "127.0.0.1:\(8081 + i)", with: "127.0.0.1:\(port)") }
            let listen = try freePort()
            site = site.replacingOccurrences(of: "listen 8080;", with: "listen 127.0.0.1:\(listen);")
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stampede-nginx-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            prefix = dir
            let main = """
                daemon off; master_process off; worker_processes 1; pid \(dir.path)/nginx.pid;
                error_log \(dir.path)/error.log warn;
                events { worker_connections 256; }
                http {
                  access_log off;
                  client_body_temp_path \(dir.path)/body; proxy_temp_path \(dir.path)/proxy;
                  fastcgi_temp_path \(dir.path)/fcgi; uwsgi_temp_path \(dir.path)/uwsgi; scgi_temp_path \(dir.path)/scgi;
                \(site)
                }
                """
            try main.write(to: dir.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["-p", dir.path, "-c", dir.appendingPathComponent("nginx.conf").path]
            p.standardError = FileHandle.nullDevice
            try p.run()
            nginx = p
            return listen
        }

        private func freePort() throws -> Int {
            let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(s) }
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_addr.s_addr = inet_addr("127.0.0.1")
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) } }
            _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) } }
            return Int(UInt16(bigEndian: a.sin_port))
        }

        @Test func testPollingAndUpgradeThroughNginxInFrontOfThreeNodes() async throws {
            h = try await ClusterHarness.start(nodes: 3)
            let port = try startNginx(nodes: h.nodes.map(\.server.port))
            let front = "http://127.0.0.1:\(port)"
            let reachable = await eventually { (try? await ClusterHarness.get(front + "/health")) == 200 }
            #expect(reachable, "nginx answers")
            let wf = try await h.createWorkflow(on: 0, owner: "alice")

            // Polling from six addresses (each sticks to one node), two upgrading, one straight WebSocket.
            let plans: [(String, ClientTransport)] = (2...7).map { ("127.0.0.\($0)", .polling) }
                + [("127.0.0.8", .upgrade), ("127.0.0.9", .upgrade), ("127.0.0.10", .websocket)]
            var sockets: [RecordedSocket] = []
            for (address, transport) in plans {
                let s = try await RecordedSocket.open(front, token: h.token("alice"), transport: transport, localAddress: address)
                #expect(s.connected != nil, "\(transport) from \(address) through nginx")
                try await s.subscribe(wf)
                h.keep(s)
                sockets.append(s)
            }
            for (i, node) in [1, 2, 0, 1, 2].enumerated() {
                try await h.publish(on: node, wf, [ClusterHarness.step(i + 1)])
            }
            for (s, (address, transport)) in zip(sockets, plans) {
                let all = await s.until { $0.events.count >= 5 }
                #expect(all, "\(transport) from \(address): \(s.seqs)")
                #expect(s.seqs == [1, 2, 3, 4, 5], "\(transport) from \(address): every event once, in order")
            }
            // The other nodes' part of the stats is up to a heartbeat old.
            var stats: JSONValue = .null
            let counted = try await eventually {
                stats = try await h.stats(on: 0)
                return stats["total_connections"] == .int(Int64(plans.count))
            }
            #expect(counted, "every client counted once: \(stats)")
            let perNode = stats["nodes"]?.arrayValue?.compactMap { $0["total_connections"]?.intValue } ?? []
            print("nginx spread the \(plans.count) clients over the nodes as \(perNode)")
        }
    }
}
