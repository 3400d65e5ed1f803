import SocketIOWire
import StampedeJSON
import Foundation
import Testing

/// The Socket.IO v5 codec against the reference parser's rules (SOCKETIO.md).
@Suite(.serialized) final class SocketIOPacketTests {
    @Test func testEncodesEveryPacketType() {
        #expect(SocketIOPacket.connect().encoded == "0")
        #expect(SocketIOPacket.connect(["token": "t"]).encoded == #"0{"token":"t"}"#)
        #expect(SocketIOPacket.connect(namespace: "/admin").encoded == "0/admin,")
        #expect(SocketIOPacket.disconnect().encoded == "1")
        #expect(SocketIOPacket.disconnect(namespace: "/admin").encoded == "1/admin,")
        #expect(SocketIOPacket.event("hello", [1, "x"]).encoded == #"2["hello",1,"x"]"#)
        #expect(SocketIOPacket.event("hello", [], ackID: 12).encoded == #"212["hello"]"#)
        #expect(SocketIOPacket.event("e", [], namespace: "/n", ackID: 3).encoded == #"2/n,3["e"]"#)
        #expect(SocketIOPacket.ack(7, [["ok": true]]).encoded == #"37[{"ok":true}]"#)
        #expect(SocketIOPacket.connectError(["message": "Invalid namespace"], namespace: "/x").encoded == #"4/x,{"message":"Invalid namespace"}"#)
        var binary = SocketIOPacket.event("up", [["_placeholder": true, "num": 0]], ackID: 4)
        binary.type = .binaryEvent
        binary.attachments = 1
        #expect(binary.encoded == #"51-4["up",{"_placeholder":true,"num":0}]"#)
    }

    @Test func testDecodesWhatItEncodes() throws {
        let packets: [SocketIOPacket] = [
            .connect(), .connect(["token": "abc", "pid": "p", "offset": "9"]), .disconnect(namespace: "/admin"),
            .event("node_update", [["seq": 1]], ackID: 99), .ack(1, []), .connectError("boom"),
            SocketIOPacket(type: .binaryAck, namespace: "/", ackID: 5, data: [["_placeholder": true, "num": 0]], attachments: 1),
        ]
        for p in packets { #expect(try SocketIOPacket.decode(p.encoded) == p, "\(p.encoded)") }
    }

    @Test func testNamespaceWithoutCommaRunsToTheEnd() throws {
        let p = try SocketIOPacket.decode("0/custom")
        #expect(p.type == .connect)
        #expect(p.namespace == "/custom")
        #expect(p.data == nil)
    }

    @Test func testMalformedPacketsAreRejected() {
        let bad: [(String, String)] = [
            ("", "empty"), ("9", "unknown type"), ("x", "not a digit"),
            ("2", "EVENT without payload"), ("2{}", "EVENT payload not an array"), ("2[]", "EVENT empty array"),
            (#"2["connect"]"#, "reserved name"), (#"2["disconnecting",1]"#, "reserved name"), (#"2[{}]"#, "name not a string"),
            (#"2["a""#, "broken JSON"), (#"0"x""#, "CONNECT with a string"), (#"0[1]"#, "CONNECT with an array"),
            ("1{}", "DISCONNECT with payload"), ("3{}", "ACK not an array"), (#"3["x"]"#, "ACK without id"),
            ("4", "CONNECT_ERROR without payload"), ("4[1]", "CONNECT_ERROR with an array"),
            (#"5["a"]"#, "binary without attachment count"), (#"5x-["a"]"#, "bad attachment count"),
            (#"511-["a"]"#, "more than 10 attachments"),
        ]
        for (text, why) in bad {
            #expect(throws: (any Error).self, "\(why): \(text.debugDescription) must be rejected") { _ = try SocketIOPacket.decode(text) }
        }
    }

    @Test func testEventNameMayBeANumber() throws {
        #expect(try SocketIOPacket.decode("2[42]").data == [42])
    }

    @Test func testBinaryAssemblerWaitsForEveryAttachment() throws {
        var a = BinaryPacketAssembler()
        let header = try SocketIOPacket.decode(#"52-7["up",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#)
        #expect(try a.receive(packet: header) == nil)
        #expect(a.isWaitingForAttachments)
        #expect(try a.receive(attachment: [1]) == nil)
        let done = try a.receive(attachment: [2, 3])
        #expect(done?.packet.ackID == 7)
        #expect(done?.attachments == [[1], [2, 3]])
        #expect(throws: (any Error).self, "an attachment with nothing pending") { _ = try a.receive(attachment: [9]) }
        let plain = try a.receive(packet: .event("x", []))
        #expect(plain?.attachments == [])
    }
}
