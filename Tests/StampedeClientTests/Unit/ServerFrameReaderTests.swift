import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing
import SocketIOWire
@testable import StampedeClient

/// The client's own frame reader replaced NIO's decoder on the generator's receive path; these
/// pin the RFC 6455 rules it must keep, byte by byte, without a socket.
@Suite struct ServerFrameReaderTests {
    final class Sink: ServerFrameSink {
        var texts: [String] = []
        var failures: [ClientCloseReason] = []
        var upgraded = 0
        func frameReaderDidUpgrade() { upgraded += 1 }
        func frameReaderDidReceive(_ text: ByteBuffer) { texts.append(String(buffer: text)) }
        func frameReaderDidFail(_ reason: ClientCloseReason) { failures.append(reason) }
    }

    /// An unmasked server frame.
    static func frame(_ payload: [UInt8], opcode: UInt8 = 0x1, fin: Bool = true, masked: Bool = false) -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let m: UInt8 = masked ? 0x80 : 0
        switch payload.count {
        case ..<126: out.append(m | UInt8(payload.count))
        case ..<65536: out += [m | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default: out.append(m | 127); for s in stride(from: 56, through: 0, by: -8) { out.append(UInt8((payload.count >> s) & 0xFF)) }
        }
        if masked { out += [1, 2, 3, 4] }
        return out + payload
    }

    static func text(_ s: String, fin: Bool = true, opcode: UInt8 = 0x1) -> [UInt8] { frame(Array(s.utf8), opcode: opcode, fin: fin) }

    private func channel(_ sink: Sink, max: Int = 1 << 20) throws -> EmbeddedChannel {
        let ch = EmbeddedChannel()
        try ch.pipeline.syncOperations.addHandler(ServerFrameReader(sink: sink, maxFrameSize: max))
        return ch
    }

    private func feed(_ ch: EmbeddedChannel, _ bytes: [UInt8]) throws {
        try ch.writeInbound(ByteBuffer(bytes: bytes))
    }

    @Test func severalFramesInOneReadAllArriveInOrder() throws {
        let sink = Sink()
        let ch = try channel(sink)
        #expect(sink.upgraded == 1)
        try feed(ch, Self.text("42[\"a\"]") + Self.text("42[\"b\"]") + Self.text("2"))
        #expect(sink.texts == ["42[\"a\"]", "42[\"b\"]", "2"])
    }

    @Test func aFrameSplitAcrossReadsAtEveryByteArrivesOnce() throws {
        let whole = Self.text("first") + Self.frame(Array(repeating: 0x61, count: 300)) + Self.text("last")
        for cut in 1..<whole.count {
            let sink = Sink()
            let ch = try channel(sink)
            try feed(ch, Array(whole[..<cut]))
            try feed(ch, Array(whole[cut...]))
            #expect(sink.texts == ["first", String(repeating: "a", count: 300), "last"], "cut at \(cut)")
            #expect(sink.failures.isEmpty)
        }
    }

    @Test func sixteenAndSixtyFourBitLengths() throws {
        let sink = Sink()
        let ch = try channel(sink)
        try feed(ch, Self.frame(Array(repeating: 0x62, count: 70_000)) + Self.frame(Array(repeating: 0x63, count: 126)))
        #expect(sink.texts.map(\.count) == [70_000, 126])
    }

    @Test func fragmentsAreJoinedAndControlFramesMayComeBetween() throws {
        let sink = Sink()
        let ch = try channel(sink)
        try feed(ch, Self.text("42[\"par", fin: false) + Self.frame([7], opcode: 0x9) + Self.text("ts\"]", opcode: 0x0))
        #expect(sink.texts == ["42[\"parts\"]"])
        // The pong leaves framed and masked already (no encoder sits in the pipeline): NIO's own
        // decoder reads it back.
        let pong = try Self.decodeClientFrame(try #require(try ch.readOutbound(as: ByteBuffer.self)))
        #expect(pong.opcode == .pong && pong.fin && pong.maskKey != nil)
        #expect(Array(pong.unmaskedData.readableBytesView) == [7])
    }

    /// One client frame as NIO's decoder (an implementation apart from ours) reads it.
    static func decodeClientFrame(_ bytes: ByteBuffer) throws -> WebSocketFrame {
        let ch = EmbeddedChannel()
        try ch.pipeline.syncOperations.addHandler(ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 20)))
        try ch.writeInbound(bytes)
        let frame = try #require(try ch.readInbound(as: WebSocketFrame.self))
        #expect(try ch.readInbound(as: WebSocketFrame.self) == nil, "exactly one frame")
        return frame
    }

    /// What the client writes (`WebSocketFraming.clientFrame`): FIN, masked, the three length
    /// forms, each payload byte under its mask byte — checked by NIO's decoder.
    @Test func clientFramesAreMaskedAndReadBackByNIOsDecoder() throws {
        for n in [0, 1, 5, 125, 126, 127, 65535, 65536, 70_001] {
            let payload = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let key: UInt32 = 0x1234_ABCD
            let bytes = payload.withUnsafeBytes { WebSocketFraming.clientFrame(opcode: 0x1, payload: $0, maskKey: key) }
            let frame = try Self.decodeClientFrame(bytes)
            #expect(frame.fin && frame.opcode == .text && frame.length == n)
            #expect(frame.maskKey == WebSocketMaskingKey([0x12, 0x34, 0xAB, 0xCD]))
            #expect(Array(frame.unmaskedData.readableBytesView) == payload)
            if n > 4 { #expect(Array(frame.data.readableBytesView) != payload, "the payload on the wire is masked") }
        }
    }

    @Test func aCloseFrameEndsTheConnection() throws {
        let sink = Sink()
        let ch = try channel(sink)
        try feed(ch, Self.frame([0x03, 0xE8], opcode: 0x8) + Self.text("after"))
        #expect(sink.failures == [.closedByServer])
        #expect(sink.texts.isEmpty, "nothing after the close frame is delivered")
    }

    @Test func protocolViolationsFailOnceAndDeliverNothingMore() throws {
        let cases: [(String, [UInt8])] = [
            ("masked", Self.frame([0x41], masked: true)),
            ("reserved bits", [0xC1, 0x01, 0x41]),
            ("unknown opcode", Self.frame([0x41], opcode: 0x3)),
            ("continuation without a message", Self.text("x", opcode: 0x0)),
            ("text inside a fragmented message", Self.text("a", fin: false) + Self.text("b")),
            ("over the size limit", Self.frame(Array(repeating: 0x61, count: 65))),
        ]
        for (name, bytes) in cases {
            let sink = Sink()
            let ch = try channel(sink, max: 64)
            try feed(ch, bytes + Self.text("later"))
            #expect(sink.failures.count == 1, "\(name)")
            #expect(sink.texts.isEmpty, "\(name): \(sink.texts)")
        }
    }

    @Test func binaryAndPongFramesAreSkipped() throws {
        let sink = Sink()
        let ch = try channel(sink)
        try feed(ch, Self.frame([1, 2], opcode: 0x2) + Self.frame([], opcode: 0xA) + Self.text("40"))
        #expect(sink.texts == ["40"])
    }
}

/// The stream under both readers keeps the start of an unfinished frame in its own buffer, so
/// the reactor's one read buffer is free for the next socket's read.
@Suite struct ServerFrameStreamTests {
    final class Sink: ServerFrameStreamSink {
        var texts: [String] = []
        func frameStreamDidReceive(_ text: ByteBuffer) { texts.append(String(buffer: text)) }
        func frameStreamDidPing(_ payload: ByteBuffer) {}
        func frameStreamDidFail(_ reason: ClientCloseReason) {}
    }

    @Test func anUnfinishedFrameDoesNotHoldTheReadBuffer() {
        let bytes = ServerFrameReaderTests.text("0{\"hello\":1}") + ServerFrameReaderTests.text("42[\"x\"]")
        var stream = ServerFrameStream(maxFrameSize: 1 << 20)
        let sink = Sink()
        var read = ByteBuffer(bytes: bytes[..<(bytes.count - 3)])
        stream.feed(&read, to: sink, allocator: ByteBufferAllocator())
        #expect(sink.texts == ["0{\"hello\":1}"])
        // Only the delivered slice's holder (here nobody) may keep the read buffer's storage.
        #expect(read.modifyIfUniquelyOwned { _ in true } == true)
        var rest = ByteBuffer(bytes: bytes[(bytes.count - 3)...])
        stream.feed(&rest, to: sink, allocator: ByteBufferAllocator())
        #expect(sink.texts == ["0{\"hello\":1}", "42[\"x\"]"])
    }
}
