import NIOCore
import Testing
@testable import StampedeClient

/// The reactor transport's own RFC 6455 opening handshake (NIO's upgrader needs a pipeline).
@Suite struct ClientUpgradeHandshakeTests {
    /// RFC 6455 §1.3's worked example.
    let h = ClientUpgradeHandshake(key: "dGhlIHNhbXBsZSBub25jZQ==")

    func answer(_ text: String) -> (ClientUpgradeHandshake.Answer, String) {
        var b = ByteBuffer(string: text)
        let a = h.answer(&b)
        return (a, String(buffer: b))
    }

    @Test func theAcceptValueIsTheRFCsExample() {
        #expect(h.expectedAccept == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(ClientUpgradeHandshake().key.count == 24, "16 random bytes in base64")
        #expect(ClientUpgradeHandshake().key != ClientUpgradeHandshake().key)
    }

    @Test func theRequestAsksForVersion13WithTheCallersHeaders() {
        let r = h.request(target: "/socket.io/?EIO=4&transport=websocket", host: "127.0.0.1:3000", headers: [("Authorization", "Bearer t")])
        #expect(r.hasPrefix("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nAuthorization: Bearer t\r\n"))
        #expect(r.contains("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"))
    }

    @Test func a101LeavesTheBytesAfterItsHeadInTheBuffer() {
        let ok = "HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
        #expect(answer(ok + "\u{81}\u{02}0{") == (.upgraded, "\u{81}\u{02}0{"))
        #expect(answer(String(ok.dropLast(2))) .0 == .needMore)
    }

    @Test func everythingElseIsRefusedWithItsReason() {
        let (a, _) = answer("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
        #expect(a == .refused("WebSocket upgrade refused: HTTP/1.1 400 Bad Request"))
        let wrong = answer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n\r\n").0
        #expect(wrong == .refused("WebSocket upgrade refused: wrong Sec-WebSocket-Accept"))
        let bare = answer("HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n").0
        #expect(bare == .refused("WebSocket upgrade refused: no Upgrade/Connection headers in the 101"))
        let endless = answer("HTTP/1.1 101 OK\r\n" + String(repeating: "x: y\r\n", count: 4000)).0
        #expect(endless == .refused("WebSocket upgrade response head over 16384 bytes"))
    }
}
