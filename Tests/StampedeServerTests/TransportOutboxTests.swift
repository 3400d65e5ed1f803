import NIOCore
import SocketIOWire
import StampedeJSON
@testable import StampedeServer
import Foundation
import Testing

extension ServerSuites {
    /// The long-poll outbox and the binary-placeholder filling, as values.
    @Suite(.serialized) final class TransportOutboxTests {
        @Test func testOutboxJoinsFramePayloadsWithRecordSeparatorAndCountsBytes() {
            var box = PollingOutbox()
            #expect(box.isEmpty)
            let frame = WebSocketFraming.serverTextFrame("42[\"a\"]")
            box.append(WebSocketFraming.payload(ofServerFrame: frame))
            box.append(EngineIOPacket.ping)
            #expect(box.byteCount == 8)
            let body = box.drainPayload(allocator: ByteBufferAllocator())
            #expect(String(buffer: body) == "42[\"a\"]\u{1e}2")
            #expect(box.isEmpty)
            #expect(box.byteCount == 0)
        }

        @Test func testOutboxHandsOverPacketsOneByOneForTheUpgrade() {
            var box = PollingOutbox()
            box.append(EngineIOPacket.message("x"))
            box.append(EngineIOPacket.noop)
            #expect(box.drainPackets().map { String(buffer: $0) } == ["4x", "6"])
            #expect(box.isEmpty)
        }

        @Test func testBinaryPlaceholdersBecomeBase64Strings() {
            let args: JSONValue = ["a", ["_placeholder": true, "num": 1], ["nested": [["_placeholder": true, "num": 0]]],
                                   ["_placeholder": true, "num": 5]]
            let filled = SocketIOConnection.fillPlaceholders(args, [[0xFF], [1, 2, 3]])
            #expect(filled == ["a", "AQID", ["nested": ["/w=="]], ["_placeholder": true, "num": 5]])
        }
    }
}
