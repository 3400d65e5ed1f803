import NIOCore
import SocketIOWire
import XCTest

/// Engine.IO v4 packets, polling payloads, handshake errors and frames.
final class EngineIOPacketTests: XCTestCase {
    func testTextFramesForEveryType() throws {
        for type in EngineIOPacketType.allCases {
            let p = EngineIOPacket(type, type == .message ? "hi" : "")
            XCTAssertEqual(try EngineIOPacket.decode(textFrame: p.textFrame), p)
        }
        XCTAssertEqual(EngineIOPacket.probePing.textFrame, "2probe")
        XCTAssertEqual(EngineIOPacket.probePong.textFrame, "3probe")
        XCTAssertThrowsError(try EngineIOPacket.decode(textFrame: ""))
        XCTAssertThrowsError(try EngineIOPacket.decode(textFrame: "7"))
        XCTAssertThrowsError(try EngineIOPacket.decode(textFrame: "abc"))
    }

    func testPollingPayloadJoinsWithRecordSeparatorAndBase64ForBinary() throws {
        let packets = [EngineIOPacket.message("hello"), .ping, EngineIOPacket(binaryMessage: [1, 2, 3, 4])]
        let body = PollingPayload.encode(packets)
        XCTAssertEqual(body, "4hello\u{1e}2\u{1e}bAQIDBA==")
        XCTAssertEqual(try PollingPayload.decode(body), packets)
    }

    func testUnparsablePollingBodiesAreRejected() {
        for body in ["", "abc", "4a\u{1e}\u{1e}2", "b!!!", "9x"] {
            XCTAssertThrowsError(try PollingPayload.decode(body), body.debugDescription)
        }
    }

    func testHandshakeQueryChecksTransportBeforeVersion() {
        XCTAssertThrowsError(try EngineIORequestQuery.parse(query: "EIO=3")) { XCTAssertEqual($0 as? EngineIOError, .unknownTransport) }
        XCTAssertThrowsError(try EngineIORequestQuery.parse(query: "EIO=4&transport=flash")) { XCTAssertEqual($0 as? EngineIOError, .unknownTransport) }
        XCTAssertThrowsError(try EngineIORequestQuery.parse(query: "transport=polling")) { XCTAssertEqual($0 as? EngineIOError, .unsupportedProtocolVersion) }
        XCTAssertThrowsError(try EngineIORequestQuery.parse(query: "EIO=3&transport=polling")) { XCTAssertEqual($0 as? EngineIOError, .unsupportedProtocolVersion) }
        let q = try? EngineIORequestQuery.parse(query: "EIO=4&transport=websocket&sid=abc&t=N1&token=a%2Bb+c")
        XCTAssertEqual(q?.transport, .websocket)
        XCTAssertEqual(q?.sid, "abc")
        XCTAssertEqual(q?.parameters["token"], "a+b c")
    }

    func testErrorBodiesAndStatuses() {
        XCTAssertEqual(EngineIOError.unknownTransport.body, #"{"code":0,"message":"Transport unknown"}"#)
        XCTAssertEqual(EngineIOError.unknownSessionID.body, #"{"code":1,"message":"Session ID unknown"}"#)
        XCTAssertEqual(EngineIOError.badHandshakeMethod.body, #"{"code":2,"message":"Bad handshake method"}"#)
        XCTAssertEqual(EngineIOError.badRequest.body, #"{"code":3,"message":"Bad request"}"#)
        XCTAssertEqual(EngineIOError.forbidden.httpStatus, 403)
        XCTAssertEqual(EngineIOError.unsupportedProtocolVersion.body, #"{"code":5,"message":"Unsupported protocol version"}"#)
        XCTAssertEqual(EngineIOError.badRequest.httpStatus, 400)
    }

    func testOpenPacketHasExactlyTheFiveFields() throws {
        let open = EngineIOOpenPayload(sid: "s", upgrades: ["websocket"], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1_000_000)
        XCTAssertEqual(open.packet.textFrame, #"0{"sid":"s","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#)
        XCTAssertEqual(try EngineIOOpenPayload(parsing: open.packet.text!), open)
    }

    func testServerFramesCarryTheirLengthAndAnUnmaskedPayload() {
        for n in [0, 5, 125, 126, 65535, 65536] {
            let text = String(repeating: "a", count: n)
            let frame = WebSocketFraming.serverTextFrame(text)
            XCTAssertEqual(frame.readableBytes, WebSocketFraming.headerSize(payloadLength: n) + n)
            XCTAssertEqual(frame.getInteger(at: 0, as: UInt8.self), 0x81)
            var payload = WebSocketFraming.payload(ofServerFrame: frame)
            XCTAssertEqual(payload.readString(length: payload.readableBytes), text)
        }
    }

    func testBase64RoundTripsAndRejectsGarbage() {
        for n in 0..<8 {
            let bytes = (0..<n).map { UInt8($0 * 37 & 0xFF) }
            XCTAssertEqual(Base64.decode(Substring(Base64.encode(bytes))), bytes)
        }
        XCTAssertNil(Base64.decode("abc"))
        XCTAssertNil(Base64.decode("a=bc"))
        XCTAssertNil(Base64.decode("ab$c"))
    }
}
