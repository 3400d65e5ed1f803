import Foundation
import SocketIOWire
import StampedeJSON
import StampedeServer
import Testing

extension ServerSuites {
    /// Slow consumers, graceful shutdown and TLS: the parts of the transport
    /// that protect the server rather than speak the protocol.
    @Suite(.serialized) final class TransportLifecycleTests {
        @Test func testSlowWebSocketConsumerIsDisconnectedPastTheBound() async throws {
            let h = try await TransportHarness.start { $0.outboundQueueLimit = 64 * 1024 }
            let (ws, _) = try await h.joinedWebSocket()
            ws.setReading(false)
            // 200 frames of 2 KB written before one flush: 400 KB > 64 KB.
            try await ws.sendText("42[\"flood\",200,2000]")
            let end = await h.domain.ended.next()
            #expect(end?.reason == .serverDisconnect(.slowConsumer))
            await h.stop()
        }

        @Test func testSlowPollingConsumerIsDisconnectedPastTheBound() async throws {
            let h = try await TransportHarness.start { $0.outboundQueueLimit = 64 * 1024 }
            let (sid, _) = try await h.pollingHandshake()
            _ = try await h.post(sid, "40")
            _ = try await h.poll(sid)
            _ = try await h.post(sid, "42[\"flood\",200,2000]")
            let end = await h.domain.ended.next()
            #expect(end?.reason == .serverDisconnect(.slowConsumer))
            await h.stop()
        }

        @Test func testFanoutFramesArriveAsWritten() async throws {
            let h = try await TransportHarness.start()
            let (ws, _) = try await h.joinedWebSocket()
            try await ws.sendText("42[\"flood\",3,5]")
            for _ in 0..<3 {
                let t = try await ws.nextText()
                #expect(t == "42[\"news\",\"xxxxx\"]")
            }
            await h.stop()
        }

        @Test func testGracefulShutdownSendsEverySessionAClosePacket() async throws {
            let h = try await TransportHarness.start()
            let (ws, _) = try await h.joinedWebSocket()
            let (sid, _) = try await h.pollingHandshake()
            let getter = try await h.connection()
            try await getter.sendRequest("GET", TransportHarness.pollPath(sid))
            try await Task.sleep(nanoseconds: 200_000_000)

            let start = ContinuousClock.now
            try await h.server.shutdown()
            #expect(ContinuousClock.now - start < .seconds(5))
            let v1 = try await ws.nextText(answerPings: false)
            #expect(v1 == "1")
            let closed = await ws.waitClosed(timeout: 2)
            #expect(closed)
            let pending = try await getter.readResponse()
            #expect(pending?.text == "1")
            let end = await h.domain.ended.next()
            #expect(end?.reason == .transportLost(recoverable: true))
            try? await h.clientGroup.shutdownGracefully()
        }

        @Test func testTLSServesHTTPSWithThePEMPair() async throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stampede-tls-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let cert = dir.appendingPathComponent("cert.pem").path, key = dir.appendingPathComponent("key.pem").path
            let openssl = Process()
            openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                                 "-days", "1", "-subj", "/CN=127.0.0.1"]
            openssl.standardError = FileHandle.nullDevice
            try openssl.run()
            openssl.waitUntilExit()
            if openssl.terminationStatus != 0 { try Test.cancel("openssl could not make a certificate") }

            let h = try await TransportHarness.start { $0.tlsCertPath = cert; $0.tlsKeyPath = key }
            #expect(h.server.baseURL.hasPrefix("https://127.0.0.1:"))
            // A real TLS client: curl speaks https to it, plain HTTP does not.
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            curl.arguments = ["curl", "-sk", "\(h.server.baseURL)/socket.io/?EIO=4&transport=polling"]
            let out = Pipe()
            curl.standardOutput = out
            try curl.run()
            curl.waitUntilExit()
            let body = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(body.hasPrefix("0{\"sid\""), "\(body)")
            let plain = try? await h.request("GET", TransportHarness.pollPath(), timeout: 1)
            #expect(plain?.status != 200)
            await h.stop()
        }
    }
}
