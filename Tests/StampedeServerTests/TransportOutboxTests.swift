import NIOCore
import SocketIOWire
import StampedeJSON
@testable import StampedeServer
import XCTest

/// The long-poll outbox and the binary-placeholder filling, as values.
final class TransportOutboxTests: XCTestCase {
    func testOutboxJoinsFramePayloadsWithRecordSeparatorAndCountsBytes() {
        var box = PollingOutbox()
        XCTAssertTrue(box.isEmpty)
        let frame = WebSocketFraming.serverTextFrame("42[\"a\"]")
        box.append(WebSocketFraming.payload(ofServerFrame: frame))
        box.append(EngineIOPacket.ping)
        XCTAssertEqual(box.byteCount, 8)
        let body = box.drainPayload(allocator: ByteBufferAllocator())
        XCTAssertEqual(String(buffer: body), "42[\"a\"]\u{1e}2")
        XCTAssertTrue(box.isEmpty)
        XCTAssertEqual(box.byteCount, 0)
    }

    func testOutboxHandsOverPacketsOneByOneForTheUpgrade() {
        var box = PollingOutbox()
        box.append(EngineIOPacket.message("x"))
        box.append(EngineIOPacket.noop)
        XCTAssertEqual(box.drainPackets().map { String(buffer: $0) }, ["4x", "6"])
        XCTAssertTrue(box.isEmpty)
    }

    func testBinaryPlaceholdersBecomeBase64Strings() {
        let args: JSONValue = ["a", ["_placeholder": true, "num": 1], ["nested": [["_placeholder": true, "num": 0]]],
                               ["_placeholder": true, "num": 5]]
        let filled = SocketIOConnection.fillPlaceholders(args, [[0xFF], [1, 2, 3]])
        XCTAssertEqual(filled, ["a", "AQID", ["nested": ["/w=="]], ["_placeholder": true, "num": 5]])
    }
}
