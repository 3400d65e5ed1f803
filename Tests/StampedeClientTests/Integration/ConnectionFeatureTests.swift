import Foundation
import StampedeClient
import StampedeContract
import StampedeJSON
import StampedeTestSupport
import Testing

/// Recovery, TLS, source addresses and slow consumers, against the real server.
@Suite(.timeLimit(.minutes(1))) struct ConnectionFeatureTests {
    @Test(arguments: ClientLoop.allCases) func connectionStateRecoveryReplaysWhatWasMissed(loop: ClientLoop) async throws {
        let t = try await TestServer.start()
        let wf = try await t.createExternalWorkflow(for: "rec")
        let token = try t.token("rec")
        let d1 = RecordingDelegate()
        let c1 = ClientConnection.connect(t.options(token: token), on: loop.next, delegate: d1)
        #expect(await d1.waitConnected())
        let pid = try #require(try await c1.eventLoop.submit { c1.pid }.get(), "the server offers recovery")
        _ = try await c1.request("subscribe", [["workflow_id": .string(wf)]])
        try await t.publish(wf, (1...3).map { ["type": "node_update", "node": .string("n\($0)"), "status": "executing"] })
        #expect(await d1.wait { _ in d1.events.count >= 3 })
        let offset = try #require(d1.events.last?.offset, "events carry offsets when pid is set")
        #expect(try await c1.eventLoop.submit { c1.lastOffset }.get() == offset)
        // The events' arguments do not include the stripped offset.
        #expect(try d1.events[0].arguments.count == 1)
        let sid = d1.connectedSID
        c1.close(.abrupt)
        #expect(await waitUntil { t.server.sessionCount == 0 })
        try await t.publish(wf, (4...5).map { ["type": "node_update", "node": .string("n\($0)"), "status": "executing"] })

        var o = t.options(token: token)
        o.recovery = (pid: pid, offset: offset)
        let d2 = RecordingDelegate()
        let c2 = ClientConnection.connect(o, on: loop.next, delegate: d2)
        #expect(await d2.waitConnected())
        #expect(d2.connectedSID == sid, "a recovered session keeps its sid")
        #expect(await d2.wait { _ in d2.events.count >= 2 })
        #expect(d2.events.map(\.seq) == [4, 5])
        c2.close(.clean)
        try await t.stop()
    }

    @Test func wssWithAnInsecureTrustReachesATLSServer() async throws {
        let cert = try SelfSignedCertificate.make()
        let t = try await TestServer.start { $0.tlsCertPath = cert.certPath; $0.tlsKeyPath = cert.keyPath }
        #expect(t.server.baseURL.hasPrefix("https://"))
        for transport in [ClientTransport.websocket, .polling] {
            let d = RecordingDelegate()
            var o = t.options(transport, token: try t.token("tls"))
            o.endpoint = try ServerEndpoint(url: t.server.baseURL, trust: .insecure)
            let c = ClientConnection.connect(o, on: TestServer.clientGroup.next(), delegate: d)
            #expect(await d.waitConnected(), "\(transport) over TLS")
            c.close(.clean)
        }
        // With the certificate as the trust root, verification passes too.
        let d = RecordingDelegate()
        var o = t.options(token: try t.token("tls"))
        o.endpoint = try ServerEndpoint(url: t.server.baseURL, trust: .certificateFile(cert.certPath))
        let c = ClientConnection.connect(o, on: TestServer.clientGroup.next(), delegate: d)
        #expect(await d.waitConnected())
        c.close(.clean)
        // And the system trust store refuses the self-signed certificate.
        let refused = RecordingDelegate()
        var strict = t.options(token: try t.token("tls"))
        strict.endpoint = try ServerEndpoint(url: t.server.baseURL, trust: .system)
        _ = ClientConnection.connect(strict, on: TestServer.clientGroup.next(), delegate: refused)
        #expect(await refused.waitClosed())
        #expect(refused.connectedSID == nil)
        try await t.stop()
    }

    @Test(arguments: ClientLoop.allCases) func bindsTheRequestedSourceAddress(loop: ClientLoop) async throws {
        let t = try await TestServer.start()
        for local in ["127.0.0.2", "127.0.0.3"] {
            let d = RecordingDelegate()
            var o = t.options(token: try t.token("src"))
            o.localAddress = local
            let c = ClientConnection.connect(o, on: loop.next, delegate: d)
            #expect(await d.waitConnected(), "from \(local)")
            c.close(.clean)
        }
        // An address this host does not own cannot be bound: the connect fails.
        let d = RecordingDelegate()
        var o = t.options(token: try t.token("src"))
        o.localAddress = "203.0.113.7"
        _ = ClientConnection.connect(o, on: loop.next, delegate: d)
        #expect(await d.waitClosed())
        #expect(d.connectedSID == nil)
        try await t.stop()
    }

    @Test(arguments: ClientLoop.allCases) func aClientThatStopsReadingIsCutOffAsASlowConsumer(loop: ClientLoop) async throws {
        let t = try await TestServer.start { $0.outboundQueueLimit = 64 * 1024 }
        let wf = try await t.createExternalWorkflow(for: "slow")
        let d = RecordingDelegate()
        let c = ClientConnection.connect(t.options(token: try t.token("slow")), on: loop.next, delegate: d)
        #expect(await d.waitConnected())
        _ = try await c.request("subscribe", [["workflow_id": .string(wf)]])
        c.setReading(false)
        let big = String(repeating: "x", count: 8_000)
        for _ in 0..<40 {
            try await t.publish(wf, (0..<10).map { _ in ["type": "node_update", "node": "n", "status": "executing", "message": .string(big)] })
        }
        let stats = try await t.http.request("GET", "/api/v1/websocket/stats")
        let cut = try stats.json()["slow_consumer_disconnects"]?.intValue ?? 0
        #expect(cut >= 1)
        c.setReading(true)
        #expect(await d.waitClosed())
        #expect(d.events.count < 400)
        try await t.stop()
    }
}
