import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOWebSocket
import SocketIOWire
import StampedeTestSupport
import Testing

@testable import StampedeServer

extension ServerSuites {
    /// Issue 14: what one WebSocket upgrade costs the server, observed on the
    /// connection's real pipeline (the bootstrapper's own handlers in an
    /// `EmbeddedChannel`): which handlers are left, and how many flushes the
    /// 101, the open packet and the CONNECT reply took.
    @Suite(.serialized) final class WebSocketUpgradePipelineTests {
        /// Counts the flushes that reach the bottom of the pipeline.
        final class FlushCounter: ChannelOutboundHandler {
            typealias OutboundIn = NIOAny
            var flushes = 0
            func flush(context: ChannelHandlerContext) {
                flushes += 1
                context.flush()
            }
        }

        private let domain = TransportTestDomain()
        private let channel = EmbeddedChannel()
        private let counter = FlushCounter()

        init() throws {
            let config = ServerConfiguration()
            let server = EngineIOServer(configuration: config, domain: domain)
            let ops = channel.pipeline.syncOperations
            try ops.addHandler(counter)
            try HTTPServerBootstrapper.configureConnection(ops, server: server, api: domain,
                                                           cors: CORSPolicy(origins: [], credentials: false), tls: nil)
        }

        deinit { _ = try? channel.finish() }

        /// Everything flushed so far, as one byte string.
        private func flushedBytes() throws -> [UInt8] {
            var out: [UInt8] = []
            while var b = try channel.readOutbound(as: ByteBuffer.self) { out += b.readBytes(length: b.readableBytes) ?? [] }
            return out
        }

        private func contains(_ bytes: [UInt8], _ text: String) -> Bool {
            let needle = Array(text.utf8)
            guard bytes.count >= needle.count else { return false }
            return (0...(bytes.count - needle.count)).contains { bytes[$0..<$0 + needle.count].elementsEqual(needle) }
        }

        @Test func testAfterTheUpgradeThePipelineHoldsOnlyTheBoundTheFrameDecoderAndTheEngineIOHandler() throws {
            let ops = channel.pipeline.syncOperations
            #expect((try? ops.context(handlerType: HTTPRouterHandler.self)) != nil)
            try channel.writeInbound(ByteBuffer(string: RawFrames.upgradeRequest(port: 80)))
            channel.embeddedEventLoop.run()
            #expect((try? ops.context(handlerType: OutboundBoundHandler.self)) != nil)
            #expect((try? ops.context(handlerType: ByteToMessageHandler<WebSocketFrameDecoder>.self)) != nil)
            #expect((try? ops.context(handlerType: EngineIOWebSocketHandler.self)) != nil)
            #expect((try? ops.context(handlerType: HTTPRouterHandler.self)) == nil)
            #expect((try? ops.context(handlerType: HTTPResponseEncoder.self)) == nil)
            #expect((try? ops.context(handlerType: HTTPServerPipelineHandler.self)) == nil)
            #expect((try? ops.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self)) == nil)
            // Exactly four: the counter, the bound, the frame decoder, the Engine.IO handler.
            let rows = channel.pipeline.debugDescription.split(separator: "\n").filter { $0.contains("↓↑") }
            #expect(rows.count - 1 == 4, "\(channel.pipeline.debugDescription)")
        }

        @Test func testThe101AndTheOpenPacketLeaveInOneFlush() throws {
            try channel.writeInbound(ByteBuffer(string: RawFrames.upgradeRequest(port: 80)))
            channel.embeddedEventLoop.run()
            #expect(counter.flushes == 1)
            let bytes = try flushedBytes()
            #expect(contains(bytes, "HTTP/1.1 101 Switching Protocols"))
            #expect(contains(bytes, "0{\"sid\":"))
        }

        /// The same over a real loopback socket: the 101 and the open packet
        /// come in the client's first read.
        @Test func testOverASocketThe101AndTheOpenPacketArriveInOneRead() async throws {
            let h = try await TransportHarness.start()
            let c = try await h.connection()
            try await c.send(RawFrames.upgradeRequest(port: h.port))
            let first = await c.nextRead(timeout: 5) ?? []
            #expect(contains(first, "HTTP/1.1 101 Switching Protocols"))
            #expect(contains(first, "0{\"sid\":"), "the open packet came in a later read")
            c.close()
            await h.stop()
        }

        @Test func testACONNECTSentWithTheUpgradeRequestIsAnsweredInTheSameFlush() throws {
            var request = ByteBuffer(string: RawFrames.upgradeRequest(port: 80))
            request.writeBytes(RawFrames.frame(opcode: 0x1, payload: Array("40".utf8)))
            try channel.writeInbound(request)
            channel.embeddedEventLoop.run()
            #expect(counter.flushes == 1)
            let bytes = try flushedBytes()
            #expect(contains(bytes, "HTTP/1.1 101 Switching Protocols"))
            #expect(contains(bytes, "0{\"sid\":"))
            #expect(contains(bytes, "40{\"sid\":\"socket-1\""))
        }
    }
}
