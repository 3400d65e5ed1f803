import NIOCore
import SocketIOWire
import Foundation
import Testing

/// Engine.IO v4 packets, polling payloads, handshake errors and frames.
@Suite(.serialized) final class EngineIOPacketTests {
    @Test func testTextFramesForEveryType() throws {
        for type in EngineIOPacketType.allCases {
            let p = EngineIOPacket(type, type == .message ? "hi" : "")
            #expect(try EngineIOPacket.decode(textFrame: p.textFrame) == p)
        }
        #expect(EngineIOPacket.probePing.textFrame == "2probe")
        #expect(EngineIOPacket.probePong.textFrame == "3probe")
        #expect(throws: (any Error).self) { _ = try EngineIOPacket.decode(textFrame: "") }
        #expect(throws: (any Error).self) { _ = try EngineIOPacket.decode(textFrame: "7") }
        #expect(throws: (any Error).self) { _ = try EngineIOPacket.decode(textFrame: "abc") }
    }

    @Test func testPollingPayloadJoinsWithRecordSeparatorAndBase64ForBinary() throws {
        let packets = [EngineIOPacket.message("hello"), .ping, EngineIOPacket(binaryMessage: [1, 2, 3, 4])]
        let body = PollingPayload.encode(packets)
        #expect(body == "4hello\u{1e}2\u{1e}bAQIDBA==")
        #expect(try PollingPayload.decode(body) == packets)
    }

    @Test func testUnparsablePollingBodiesAreRejected() {
        for body in ["", "abc", "4a\u{1e}\u{1e}2", "b!!!", "9x"] {
            #expect(throws: (any Error).self, "\(body.debugDescription)") { _ = try PollingPayload.decode(body) }
        }
    }

    @Test func testHandshakeQueryChecksTransportBeforeVersion() {
        if let error = #expect(throws: (any Error).self, performing: { _ = try EngineIORequestQuery.parse(query: "EIO=3") }) { #expect(error as? EngineIOError == .unknownTransport) }
        if let error = #expect(throws: (any Error).self, performing: { _ = try EngineIORequestQuery.parse(query: "EIO=4&transport=flash") }) { #expect(error as? EngineIOError == .unknownTransport) }
        if let error = #expect(throws: (any Error).self, performing: { _ = try EngineIORequestQuery.parse(query: "transport=polling") }) { #expect(error as? EngineIOError == .unsupportedProtocolVersion) }
        if let error = #expect(throws: (any Error).self, performing: { _ = try EngineIORequestQuery.parse(query: "EIO=3&transport=polling") }) { #expect(error as? EngineIOError == .unsupportedProtocolVersion) }
        let q = try? EngineIORequestQuery.parse(query: "EIO=4&transport=websocket&sid=abc&t=N1&token=a%2Bb+c")
        #expect(q?.transport == .websocket)
        #expect(q?.sid == "abc")
        #expect(q?.parameters["token"] == "a+b c")
    }

    @Test func testErrorBodiesAndStatuses() {
        #expect(EngineIOError.unknownTransport.body == #"{"code":0,"message":"Transport unknown"}"#)
        #expect(EngineIOError.unknownSessionID.body == #"{"code":1,"message":"Session ID unknown"}"#)
        #expect(EngineIOError.badHandshakeMethod.body == #"{"code":2,"message":"Bad handshake method"}"#)
        #expect(EngineIOError.badRequest.body == #"{"code":3,"message":"Bad request"}"#)
        #expect(EngineIOError.forbidden.httpStatus == 403)
        #expect(EngineIOError.unsupportedProtocolVersion.body == #"{"code":5,"message":"Unsupported protocol version"}"#)
        #expect(EngineIOError.badRequest.httpStatus == 400)
    }

    @Test func testOpenPacketHasExactlyTheFiveFields() throws {
        let open = EngineIOOpenPayload(sid: "s", upgrades: ["websocket"], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1_000_000)
        #expect(open.packet.textFrame == #"0{"sid":"s","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#)
        #expect(try EngineIOOpenPayload(parsing: open.packet.text!) == open)
    }

    @Test func testServerFramesCarryTheirLengthAndAnUnmaskedPayload() {
        for n in [0, 5, 125, 126, 65535, 65536] {
            let text = String(repeating: "a", count: n)
            let frame = WebSocketFraming.serverTextFrame(text)
            #expect(frame.readableBytes == WebSocketFraming.headerSize(payloadLength: n) + n)
            #expect(frame.getInteger(at: 0, as: UInt8.self) == 0x81)
            var payload = WebSocketFraming.payload(ofServerFrame: frame)
            #expect(payload.readString(length: payload.readableBytes) == text)
        }
    }

    @Test func testBase64RoundTripsAndRejectsGarbage() {
        for n in 0..<8 {
            let bytes = (0..<n).map { UInt8($0 * 37 & 0xFF) }
            #expect(Base64.decode(Substring(Base64.encode(bytes))) == bytes)
        }
        #expect(Base64.decode("abc") == nil)
        #expect(Base64.decode("a=bc") == nil)
        #expect(Base64.decode("ab$c") == nil)
    }
}
