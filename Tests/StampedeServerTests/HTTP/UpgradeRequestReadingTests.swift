import NIOHTTP1
import SocketIOWire
import Testing

@testable import StampedeServer

/// What an upgrade request is read for, over bytes (§19): the same answers the
/// `canonicalForm`, `lowercased` and Foundation-trimming reading gave.
@Suite struct UpgradeRequestReadingTests {
    private func head(_ headers: [(String, String)], method: HTTPMethod = .GET,
                      uri: String = "/socket.io/?EIO=4&transport=websocket") -> HTTPRequestHead {
        HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: HTTPHeaders(headers))
    }

    private let key = "dGhlIHNhbXBsZSBub25jZQ=="

    @Test func aKeyIsReadWithoutItsSurroundingWhitespace() {
        let h = head([("Connection", "Upgrade"), ("Sec-WebSocket-Version", "13"), ("Sec-WebSocket-Key", " \t\(key) ")])
        #expect(WebSocketHandshake.validate(h) == .success("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="))
    }

    @Test func connectionIsAListReadCaseInsensitivelyAcrossRepeatedHeaders() {
        for connection in [["keep-alive, Upgrade"], ["UPGRADE"], ["keep-alive", " upgrade "], [",,upgrade,"]] {
            let h = head(connection.map { ("Connection", $0) } + [("Sec-WebSocket-Version", "13"), ("Sec-WebSocket-Key", key)])
            #expect(WebSocketHandshake.validate(h) == .success("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "\(connection)")
        }
        for connection in [["keep-alive"], ["upgrades"], ["up grade"], []] {
            let h = head(connection.map { ("Connection", $0) } + [("Sec-WebSocket-Version", "13"), ("Sec-WebSocket-Key", key)])
            guard case .failure(.badRequest) = WebSocketHandshake.validate(h) else {
                Issue.record("\(connection) was accepted"); continue
            }
        }
    }

    @Test func theVersionMustBeExactlyThirteen() {
        for version in [["13"], [" 13 "], ["13,"]] {
            let h = head([("Connection", "upgrade"), ("Sec-WebSocket-Key", key)] + version.map { ("Sec-WebSocket-Version", $0) })
            #expect(WebSocketHandshake.validate(h) == .success("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "\(version)")
        }
        for version in [["8"], ["13, 8"], ["13", "13"], ["130"], []] {
            let h = head([("Connection", "upgrade"), ("Sec-WebSocket-Key", key)] + version.map { ("Sec-WebSocket-Version", $0) })
            #expect(WebSocketHandshake.validate(h) == .failure(.unsupportedVersion), "\(version)")
        }
    }

    @Test func aKeyThatIsNotSixteenBase64BytesIsRefused() {
        for k in ["", "   ", "not base64!", "dGhlIHNhbXBsZSBub25j", key + "AAAA"] {
            let h = head([("Connection", "upgrade"), ("Sec-WebSocket-Version", "13"), ("Sec-WebSocket-Key", k)])
            guard case .failure(.badRequest) = WebSocketHandshake.validate(h) else { Issue.record("\(k) was accepted"); continue }
        }
    }

    @Test func upgradeNamesWebSocketAmongOtherProtocols() {
        #expect(EngineIORequestTarget.isWebSocketUpgrade(head([("Upgrade", "WebSocket")])))
        #expect(EngineIORequestTarget.isWebSocketUpgrade(head([("Upgrade", "h2c, websocket")])))
        #expect(!EngineIORequestTarget.isWebSocketUpgrade(head([("Upgrade", "h2c")])))
        #expect(!EngineIORequestTarget.isWebSocketUpgrade(head([("Upgrade", "websockets")])))
        #expect(!EngineIORequestTarget.isWebSocketUpgrade(head([])))
    }

    @Test(arguments: [
        ("/socket.io/", "/socket.io/", true), ("/socket.io", "/socket.io/", true),
        ("/socket.io/?EIO=4&transport=polling", "/socket.io/", true), ("/socket.io?x=/", "/socket.io/", true),
        ("/socket.io//", "/socket.io/", false), ("/socket.iox", "/socket.io/", false), ("/socket.io/x", "/socket.io/", false),
        ("/socket.i", "/socket.io/", false), ("", "/socket.io/", false), ("/api/stats", "/socket.io/", false),
        ("/live/", "/live", true), ("/live", "/live", true), ("/live/x", "/live", false),
    ])
    func theEnginePathWithOrWithoutItsSlash(_ uri: String, _ path: String, _ expected: Bool) {
        #expect(EngineIORequestTarget.isEngineIOPath(uri, path: path) == expected)
    }

    /// The open packet is built from text serialized at init; it must be what serializing it says.
    @Test func theOpenPacketIsWhatItsPayloadSerializesTo() {
        var config = ServerConfiguration()
        config.pingIntervalMs = 1_234
        config.pingTimeoutMs = 567
        config.maxPayload = 89
        let server = EngineIOServer(configuration: config, domain: TransportTestDomain())
        for transport in [EngineIOTransport.websocket, .polling] {
            let sid = SessionID.make()
            #expect(server.openPacket(sid: sid, transport: transport) == server.openPayload(sid: sid, transport: transport).packet)
        }
        guard case .text(let text) = server.openPacket(sid: "SSSSSSSSSSSSSSSSSSSS", transport: .polling).payload else {
            Issue.record("not text"); return
        }
        #expect(text.contains("\"sid\":\"SSSSSSSSSSSSSSSSSSSS\""))
        #expect(text.contains("\"upgrades\":[\"websocket\"]"))
    }
}
