#if os(Linux)
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SocketIOWire
import StampedeTestSupport
import Testing
@testable import StampedeClient

/// The reactor's WebSocket against a peer that is not Stampede's server: a few lines of raw
/// TCP that speak just enough Engine.IO, so the edges the real server never shows can be forced —
/// the 101 and the first frame in one segment, a ping to answer, a server that stops reading.
@Suite(.timeLimit(.minutes(1))) struct ReactorTransportTests {
    enum Mode { case answerPing, stopReadingAfterConnect }

    /// Answers the upgrade and the CONNECT; then pings, or stops reading.
    final class FakeEngineIO: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let mode: Mode
        let pongs = NIOLockedValueBox<[String]>([])
        private var received = ByteBuffer()
        private var upgraded = false

        init(mode: Mode) { self.mode = mode }

        static func frame(_ payload: String, opcode: UInt8 = 0x1) -> ByteBuffer {
            var b = ByteBuffer()
            b.writeInteger(0x80 | opcode)
            b.writeInteger(UInt8(payload.utf8.count))
            b.writeString(payload)
            return b
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            received.writeBuffer(&bytes)
            if !upgraded {
                let text = String(buffer: received)
                guard let end = text.range(of: "\r\n\r\n") else { return }
                let key = text.split(separator: "\r\n").first { $0.lowercased().hasPrefix("sec-websocket-key:") }!
                    .split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces)
                received.moveReaderIndex(forwardBy: text.utf8.distance(from: text.startIndex, to: end.upperBound))
                upgraded = true
                // The 101 and the Engine.IO open packet leave in one write, so usually in one segment.
                var out = ByteBuffer(string: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                     + "Sec-WebSocket-Accept: \(ClientUpgradeHandshake(key: key).expectedAccept)\r\n\r\n")
                var open = Self.frame(#"0{"sid":"fake","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#)
                out.writeBuffer(&open)
                context.writeAndFlush(wrapOutboundOut(out), promise: nil)
            }
            while let (opcode, payload) = nextClientFrame() {
                if opcode == 0xA { pongs.withLockedValue { $0.append(payload) } }
                guard opcode == 0x1, payload.hasPrefix("40") else { continue }
                context.writeAndFlush(wrapOutboundOut(Self.frame(#"40{"sid":"s1"}"#)), promise: nil)
                switch mode {
                case .answerPing: context.writeAndFlush(wrapOutboundOut(Self.frame("hb", opcode: 0x9)), promise: nil)
                case .stopReadingAfterConnect: context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
                }
            }
        }

        /// One masked client frame with a short payload (all this test's client sends before it stalls).
        private func nextClientFrame() -> (UInt8, String)? {
            guard received.readableBytes >= 6, let b0: UInt8 = received.getInteger(at: received.readerIndex),
                  let b1: UInt8 = received.getInteger(at: received.readerIndex + 1), b1 & 0x7F < 126 else { return nil }
            let n = Int(b1 & 0x7F)
            guard received.readableBytes >= 6 + n else { return nil }
            received.moveReaderIndex(forwardBy: 2)
            let mask = received.readBytes(length: 4)!
            let payload = received.readBytes(length: n)!.enumerated().map { $0.element ^ mask[$0.offset % 4] }
            return (b0 & 0x0F, String(decoding: payload, as: UTF8.self))
        }
    }

    func serve(_ handler: FakeEngineIO) async throws -> (Channel, ClientOptions) {
        let server = try await ServerBootstrap(group: TestServer.clientGroup)
            .childChannelInitializer { ch in ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(handler) } }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = server.localAddress!.port!
        return (server, ClientOptions(endpoint: try ServerEndpoint(url: "http://127.0.0.1:\(port)")))
    }

    @Test func theOpenPacketInThe101sSegmentAndAPingAreHandled() async throws {
        let fake = FakeEngineIO(mode: .answerPing)
        let (server, options) = try await serve(fake)
        let d = RecordingDelegate()
        let c = ClientConnection.connect(options, on: TestServer.reactor, delegate: d)
        #expect(await d.waitConnected())
        #expect(d.connectedSID == "s1")
        #expect(await waitUntil { fake.pongs.withLockedValue { $0 } == ["hb"] }, "the ping's payload comes back in a masked pong")
        c.close(.clean)
        try await server.close()
    }

    @Test func aServerThatStopsReadingFailsTheConnectionInsteadOfGrowingItsQueue() async throws {
        let fake = FakeEngineIO(mode: .stopReadingAfterConnect)
        let (server, options) = try await serve(fake)
        let d = RecordingDelegate()
        let c = ClientConnection.connect(options, on: TestServer.reactor, delegate: d)
        #expect(await d.waitConnected())
        let big = String(repeating: "x", count: 64 * 1024)
        // 64 MB offered: more than the loopback socket buffers hold plus the transport's bound.
        for _ in 0..<1024 { c.sendEncoded(socketIOPacket: "2[\"spam\",\"\(big)\"]") }
        #expect(await d.waitClosed(seconds: 20))
        #expect(d.closeReason == .error("WebSocket: over 8 MB unsent; the server stopped reading"))
        try await server.close()
    }
}
#endif
