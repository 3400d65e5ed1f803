import NIOPosix
import SocketIOWire
import StampedeAuth
import StampedeConformance
import StampedeJSON
import StampedeServer
import Foundation
import StampedeTestSupport
import Testing

extension ServerSuites {
    /// The protocol layers with the real domain behind them (`EmbeddedServer.start`
    /// builds the `Hub`): a real JWT, a search workflow created over HTTP, its
    /// events over a raw WebSocket and over long-polling, in seq order.
    @Suite(.serialized) final class TransportHubIntegrationTests {
        var server: EmbeddedServer!
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let token = try! TokenMinter(secret: "hub-test-secret").mint(user: "alice")

        init() async throws {
            var c = ServerConfiguration()
            c.port = 0
            c.jwtSecret = "hub-test-secret"
            c.stepDelayMs = 5
            server = try await EmbeddedServer.start(c)
        }

        /// Swift Testing makes one suite instance per test and releases it when the test
        /// ends; the async stop that XCTest's tearDown awaited runs behind it.
        deinit {
            Task { [server, group] in
                try? await server?.shutdown()
                try? await group.shutdownGracefully()
            }
        }

        private func createSearch() async throws -> String {
            let c = try await RawHTTPConnection.connect(port: server.port, group: group)
            defer { c.close() }
            let r = try await c.request("POST", "/api/v1/workflows", headers: [
                ("Authorization", "Bearer \(token)"), ("Content-Type", "application/json"),
            ], body: #"{"type":"search","query":"swift nio"}"#)
            #expect(r.status == 202, "\(r.text)")
            return try JSONParser.parse(r.text)["workflow_id"]!.stringValue!
        }

        /// Workflow events out of Socket.IO packet texts: (name, seq, status).
        private func workflowEvents(_ packets: [String]) throws -> [(String, Int64, String?)] {
            try packets.filter { $0.hasPrefix("42[") }.map { text in
                let args = try JSONParser.parse(String(text.dropFirst(2)))
                return (args[0]!.stringValue!, args[1]!["seq"]!.intValue!, args[1]!["status"]?.stringValue)
            }
        }

        private func assertCompleteSearch(_ events: [(String, Int64, String?)], sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(events.map(\.1) == (0..<Int64(events.count)).map { $0 + 1 }, sourceLocation: sourceLocation)
            #expect(events.first?.0 == "workflow_status", sourceLocation: sourceLocation)
            #expect(events.last?.0 == "workflow_status", sourceLocation: sourceLocation)
            #expect(events.last?.2 == "completed", sourceLocation: sourceLocation)
            #expect(events.count == 9, sourceLocation: sourceLocation)
        }

        @Test func testSearchWorkflowEventsInOrderOverWebSocket() async throws {
            let id = try await createSearch()
            let ws = try await RawWebSocket.connect(port: server.port, group: group)
            _ = try await ws.nextText()  // open
            try await ws.send(SocketIOPacket.connect(["token": .string(token)]))
            let reply = try await ws.nextText()
            #expect(reply?.hasPrefix("40{\"sid\":") ?? false, "\(reply ?? "nil")")
            try await ws.send(SocketIOPacket.event("subscribe", [["workflow_id": .string(id), "since": 0]], ackID: 1))
            var packets: [String] = []
            while let t = try await ws.nextText(), packets.count < 20 {
                if t.hasPrefix("431") { continue }
                packets.append(t)
                if t.contains("\"workflow_status\"") && t.contains("\"completed\"") { break }
            }
            assertCompleteSearch(try workflowEvents(packets))
            ws.close()
        }

        @Test func testSearchWorkflowEventsInOrderOverPolling() async throws {
            let id = try await createSearch()
            let poll = "/socket.io/?EIO=4&transport=polling"
            let c = try await RawHTTPConnection.connect(port: server.port, group: group)
            defer { c.close() }
            let open = try await c.request("GET", poll)
            let sid = try JSONParser.parse(String(open.text.dropFirst()))["sid"]!.stringValue!
            let subscribe = SocketIOPacket.event("subscribe", [["workflow_id": .string(id), "since": 0]], ackID: 1).engineIOPacket.textFrame
            let post = try await c.request("POST", poll + "&sid=\(sid)", body: "40{\"token\":\"\(token)\"}\u{1e}" + subscribe)
            #expect(post.text == "ok")
            var packets: [String] = []
            for _ in 0..<30 {
                let r = try await c.request("GET", poll + "&sid=\(sid)")
                packets += r.text.split(separator: "\u{1e}").map(String.init)
                if packets.contains(where: { $0.contains("\"workflow_status\"") && $0.contains("\"completed\"") }) { break }
            }
            #expect(packets.first?.hasPrefix("40{\"sid\":") ?? false)
            assertCompleteSearch(try workflowEvents(packets))
        }

        /// POST …/cancel over HTTP ends a workflow a WebSocket subscriber is watching.
        @Test func testCancelOverHTTPReachesTheSubscriber() async throws {
            let c = try await RawHTTPConnection.connect(port: server.port, group: group)
            defer { c.close() }
            let auth = [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")]
            let created = try await c.request("POST", "/api/v1/workflows", headers: auth, body: #"{"type":"external"}"#)
            let id = try JSONParser.parse(created.text)["workflow_id"]!.stringValue!
            let ws = try await RawWebSocket.connect(port: server.port, group: group)
            _ = try await ws.nextText()
            try await ws.send(SocketIOPacket.connect(["token": .string(token)]))
            _ = try await ws.nextText()
            try await ws.send(SocketIOPacket.event("subscribe", [["workflow_id": .string(id)]], ackID: 1))
            let ack = try await ws.nextText()
            #expect(ack?.hasPrefix("431[") ?? false, "\(ack ?? "nil")")
            let cancelled = try await c.request("POST", "/api/v1/workflows/\(id)/cancel", headers: auth, body: "")
            #expect(cancelled.status == 202, "\(cancelled.text)")
            #expect(try JSONParser.parse(cancelled.text)["status"] == "cancelled")
            let event = try await ws.nextText()
            #expect(try workflowEvents([event ?? ""]).map { "\($0.0) \($0.1) \($0.2 ?? "")" } == ["workflow_status 1 cancelled"])
            let again = try await c.request("POST", "/api/v1/workflows/\(id)/cancel", headers: auth, body: "")
            #expect(again.status == 409, "\(again.text)")
            ws.close()
        }

        @Test func testBadTokenIsRefusedWithItsCode() async throws {
            let ws = try await RawWebSocket.connect(port: server.port, group: group)
            _ = try await ws.nextText()
            try await ws.send(SocketIOPacket.connect(["token": "nope"]))
            let reply = try await ws.nextText()
            #expect(reply == #"44{"message":"unauthorized","data":{"code":"token_malformed"}}"#)
            ws.close()
        }
    }
}
