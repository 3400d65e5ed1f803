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
            #expect((try? ops.context(handlerType: UpgradeFastPathHandler.self)) != nil)
            #expect((try? ops.context(handlerType: HTTPRouterHandler.self)) == nil, "HTTP handlers are made only when needed")
            try channel.writeInbound(ByteBuffer(string: RawFrames.upgradeRequest(port: 80)))
            channel.embeddedEventLoop.run()
            #expect((try? ops.context(handlerType: OutboundBoundHandler.self)) != nil)
            #expect((try? ops.context(handlerType: ByteToMessageHandler<WebSocketFrameDecoder>.self)) != nil)
            #expect((try? ops.context(handlerType: EngineIOWebSocketHandler.self)) != nil)
            #expect((try? ops.context(handlerType: HTTPRouterHandler.self)) == nil)
            #expect((try? ops.context(handlerType: UpgradeFastPathHandler.self)) == nil)
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

        /// The head up to its blank line, from everything flushed.
        private func responseHead(_ bytes: [UInt8]) -> String {
            let text = String(decoding: bytes, as: UTF8.self)
            return text.range(of: "\r\n\r\n").map { String(text[..<$0.upperBound]) } ?? text
        }

        /// A head split over two reads is the router's (the fast path takes only a whole first
        /// read): the same 101, byte for byte, and the same pipeline after it.
        @Test func testARequestSplitOverTwoReadsGetsTheSame101FromTheRouter() throws {
            let request = Array(RawFrames.upgradeRequest(port: 80).utf8)
            try channel.writeInbound(ByteBuffer(bytes: request))
            channel.embeddedEventLoop.run()
            let fast = responseHead(try flushedBytes())

            let config = ServerConfiguration()
            let other = EmbeddedChannel()
            defer { _ = try? other.finish() }
            try HTTPServerBootstrapper.configureConnection(other.pipeline.syncOperations, server: EngineIOServer(configuration: config, domain: domain),
                                                           api: domain, cors: CORSPolicy(origins: [], credentials: false), tls: nil)
            try other.writeInbound(ByteBuffer(bytes: request[..<40]))
            let ops = other.pipeline.syncOperations
            #expect((try? ops.context(handlerType: HTTPRouterHandler.self)) != nil, "the first read fell back to HTTP")
            #expect((try? ops.context(handlerType: UpgradeFastPathHandler.self)) == nil)
            try other.writeInbound(ByteBuffer(bytes: request[40...]))
            other.embeddedEventLoop.run()
            var routed: [UInt8] = []
            while var b = try other.readOutbound(as: ByteBuffer.self) { routed += b.readBytes(length: b.readableBytes) ?? [] }
            #expect(fast.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"))
            #expect(responseHead(routed) == fast)
            #expect((try? ops.context(handlerType: HTTPRouterHandler.self)) == nil)
            #expect((try? ops.context(handlerType: EngineIOWebSocketHandler.self)) != nil)
        }

        /// A refusal is the router's to answer: the fast path gives way with the bytes untouched.
        @Test func testAnUpgradeTheFastPathRefusesIsAnsweredByTheRouter() throws {
            try channel.writeInbound(ByteBuffer(string: RawFrames.upgradeRequest(port: 80, version: "8")))
            channel.embeddedEventLoop.run()
            let head = responseHead(try flushedBytes())
            #expect(head.hasPrefix("HTTP/1.1 426 Upgrade Required\r\n"), "\(head)")
            #expect(head.lowercased().contains("sec-websocket-version: 13\r\n"))
        }

        @Test func testAPollingHandshakeInTheFirstReadIsServedOverHTTP() throws {
            try channel.writeInbound(ByteBuffer(string: "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: h\r\n\r\n"))
            channel.embeddedEventLoop.run()
            let bytes = try flushedBytes()
            #expect(responseHead(bytes).hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(contains(bytes, "0{\"sid\":"))
            #expect((try? channel.pipeline.syncOperations.context(handlerType: HTTPRouterHandler.self)) != nil)
        }
    }
}
