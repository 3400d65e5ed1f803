import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SocketIOWire
import StampedeConformance
import StampedeTestSupport
import Testing

@testable import StampedeServer

extension ServerSuites {
    /// The fan-out's direct writes (`WebSocketLink.writeAndFlush`): a frame goes straight to
    /// the socket while NIO holds nothing of the connection, and through NIO when it does. What
    /// must never happen is a direct frame overtaking bytes NIO still holds, or a frame lost
    /// between the two.
    @Suite(.serialized) final class DirectWriteTests {
        private var h: HubServerHarness!

        deinit { Task { [h] in await h?.stop() } }

        /// A subscriber that reads nothing, behind a 4 KiB receive buffer, while 400 events of
        /// 8 KiB are published one per request: the first go out directly until the kernel's
        /// buffers are full, then a send takes part of a frame or nothing and the rest waits
        /// in NIO, and the frames after it queue behind it there, also the 30 published while
        /// the reader drains. Once NIO's marker completes, the last five go out directly again.
        /// Every seq arrives once, in order, and nobody is cut as a slow consumer (the bound is
        /// far above 3.2 MB). Without the marker's guard the events published while draining
        /// arrive ahead of older ones.
        @Test func framesTheSocketCannotTakeAtOnceArriveWholeAndInOrder() async throws {
            h = try await HubServerHarness.start { $0.outboundQueueLimit = 32 << 20 }
            let id = try await h.createWorkflow(owner: "alice")
            let ws = try await RawWebSocket.connect(port: h.port, group: h.clientGroup, receiveBuffer: 4096)
            _ = try await ws.nextText()  // open
            try await ws.sendText(#"40{"token":"\#(h.token("alice"))"}"#)
            #expect(try await ws.nextText()?.hasPrefix("40{") == true)
            try await ws.sendText(#"421["subscribe",{"workflow_id":"\#(id)"}]"#)
            let ack = try await ws.nextText() ?? ""
            #expect(ack.contains(#""ok":true"#), "\(ack)")

            try await ws.channel.setOption(ChannelOptions.autoRead, value: false).get()
            for _ in 0..<400 { try await h.publish(id, count: 1, size: 8 * 1024) }
            try await ws.channel.setOption(ChannelOptions.autoRead, value: true).get()
            ws.channel.read()
            // While the reader drains what NIO holds, the socket has room now and then: these
            // must still queue behind NIO's bytes, not slip into the room.
            let more = Task { [h] in for _ in 0..<30 { try await h!.publish(id, count: 1, size: 100) } }
            var seqs = try await seqsOfEvents(ws, count: 430)
            try await more.value
            for _ in 0..<5 { try await h.publish(id, count: 1, size: 100) }
            seqs += try await seqsOfEvents(ws, count: 5)

            #expect(seqs == Array(1...435), "every event once, in order, across the direct and the queued writes")
            let slow = try await h.metric("stampede_connections_closed_total{reason=\"slow_consumer\"}")
            #expect(slow == 0)
        }

        /// A subscriber that never reads is still cut at the bound when direct writes filled
        /// its kernel buffers first: what NIO then holds is counted against the bound.
        @Test func aReaderThatNeverReadsIsStillCutAtTheBound() async throws {
            h = try await HubServerHarness.start { $0.outboundQueueLimit = 256 * 1024 }
            let id = try await h.createWorkflow(owner: "alice")
            let ws = try await RawWebSocket.connect(port: h.port, group: h.clientGroup, receiveBuffer: 4096)
            _ = try await ws.nextText()
            try await ws.sendText(#"40{"token":"\#(h.token("alice"))"}"#)
            _ = try await ws.nextText()
            try await ws.sendText(#"421["subscribe",{"workflow_id":"\#(id)"}]"#)
            _ = try await ws.nextText()
            try await ws.channel.setOption(ChannelOptions.autoRead, value: false).get()
            var slow = 0.0
            for _ in 0..<400 where slow == 0 {
                try await h.publish(id, count: 1, size: 16 * 1024)
                slow = try await h.metric("stampede_connections_closed_total{reason=\"slow_consumer\"}")
            }
            #expect(slow == 1, "cut once its unsent output passed 256 KiB, within 6.4 MB of events")
        }

        /// An accepted plain-TCP connection's pipeline is told its descriptor (what the direct
        /// writes need; -1 would mean every write goes through NIO).
        @Test func everyAcceptedConnectionKnowsItsDescriptor() async throws {
            h = try await HubServerHarness.start()
            let ws = try await RawWebSocket.connect(port: h.port, group: h.clientGroup)
            _ = try await ws.nextText()
            let channels = h.server.tracker.all
            #expect(channels.count == 1, "the WebSocket's connection, open packet received")
            for ch in channels {
                let descriptor = try await ch.eventLoop.submit {
                    try ch.pipeline.syncOperations.handler(type: OutboundBoundHandler.self).descriptor
                }.get()
                #expect(descriptor >= 0)
            }
        }

        private func seqsOfEvents(_ ws: RawWebSocket, count: Int) async throws -> [Int64] {
            var seqs: [Int64] = []
            while seqs.count < count, let t = try await ws.nextText(timeout: 10) {
                guard t.hasPrefix("42[") else { continue }
                let packet = try SocketIOPacket.decode(String(t.dropFirst()))
                if let seq = packet.eventArguments.first?["seq"]?.intValue { seqs.append(seq) }
            }
            return seqs
        }
    }

    /// The listening socket the server accepts on itself (so each pipeline knows its
    /// descriptor).
    @Suite struct SocketListenerTests {
        @Test func portZeroIsGivenARealPortAndATakenPortIsAClearError() throws {
            let a = try SocketListener(host: "127.0.0.1", port: 0, reusePort: false)
            defer { a.close() }
            #expect(a.port > 0)
            do {
                _ = try SocketListener(host: "127.0.0.1", port: a.port, reusePort: false)
                Issue.record("a second listener bound the same port")
            } catch {
                #expect((error as? IOError)?.errnoCode == EADDRINUSE, "\(error)")  // what the CLI's message names
            }
        }

        @Test func closingStopsAcceptingAndClosingTwiceOrUnstartedIsFine() async throws {
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let accepted = NIOLockedValueBoxCounter()
            let l = try SocketListener(host: "127.0.0.1", port: 0, reusePort: false)
            l.start(group: group) { _, loop in
                ClientBootstrap(group: loop).channelInitializer { ch in
                    accepted.increment()
                    ch.eventLoop.execute { ch.close(promise: nil) }  // once it is registered
                    return ch.eventLoop.makeSucceededVoidFuture()
                }
            }
            let c = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: l.port).get()
            try await c.closeFuture.get()  // the listener's side closed it
            #expect(accepted.value == 1)
            l.close()
            l.close()
            await #expect(throws: (any Error).self) {
                _ = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: l.port).get()
            }
            SocketListenerTests.unstarted()
            try await group.shutdownGracefully()
        }

        private static func unstarted() {
            let l = try? SocketListener(host: "127.0.0.1", port: 0, reusePort: false)
            l?.close()  // returns: nothing to wake
        }
    }
}

/// A counter the listener's initializer (on a loop) and the test (elsewhere) both read.
private final class NIOLockedValueBoxCounter: Sendable {
    private let box = NIOLockedValueBox(0)
    func increment() { box.withLockedValue { $0 += 1 } }
    var value: Int { box.withLockedValue { $0 } }
}
