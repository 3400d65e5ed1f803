#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOWebSocket
import SocketIOWire

/// The write side of one server WebSocket: whole pre-framed frames go out as
/// raw `ByteBuffer`s from the context of the handler nearest the channel's head that lets
/// writes through untouched (the outbound bound; only byte-level handlers such as TLS sit
/// below it, no frame encoder) — the fan-out frame built once is the frame on the wire.
///
/// Genuinely `Sendable`: its session may live on another loop than the
/// channel (a WebSocket upgrade lands on whichever loop accepted it), so
/// writes from there hop. The handler context and the read-batching flags
/// are the channel loop's alone, held loop-bound (each access checks the
/// loop). The flags are only ever touched for an instant: a flush may call
/// back into this link (writability → a paced replay writes more).
final class WebSocketLink: Sendable {
    let channel: Channel
    private let context: NIOLoopBound<ChannelHandlerContext>

    /// The connection's socket, written directly by `writeAndFlush` while NIO holds none of
    /// this connection's bytes; -1 when every write goes through NIO (TLS, test channels).
    private let descriptor: CInt
    /// The channel's loop, held here so the direct write's loop check reads no channel field.
    private let loop: EventLoop

    /// The channel loop's write state.
    /// While the Engine.IO handler is inside a read (`inRead`), flushes wait for the
    /// read's end (`endRead`), so the replies one read causes — a CONNECT
    /// answer with a recovery's replay, a subscribe ack with its `since`
    /// events, several acks — leave in one write.
    /// A direct write may go out only when no byte written through NIO is still in NIO:
    /// `nioUnflushed` (written, no flush since; true at first, since the upgrade's 101 may
    /// still be there) and `markersOwed` (flushed, not yet all on the socket: a zero-length
    /// write with a promise follows every flush of NIO-written bytes, and NIO completes
    /// writes in order and each once, so when every marker has completed the rest has left).
    private struct LoopState {
        var inRead = false
        var flushDeferred = false
        var nioUnflushed = true
        var markersOwed = 0

        /// Nothing of the connection waits in NIO and no read is batching replies.
        var sendsDirectly: Bool { !inRead && !nioUnflushed && markersOwed == 0 }
    }
    /// The marker's zero-length buffer, one for every link (a shared empty storage).
    private static let marker = ByteBufferAllocator().buffer(capacity: 0)
    private let state: NIOLoopBoundBox<LoopState>

    /// Made by the Engine.IO handler, on the channel's loop; `writer` is the context writes
    /// start from.
    init(channel: Channel, writer: ChannelHandlerContext, descriptor: CInt = -1) {
        self.channel = channel
        self.loop = channel.eventLoop
        self.context = NIOLoopBound(writer, eventLoop: channel.eventLoop)
        self.descriptor = descriptor
        self.state = NIOLoopBoundBox(LoopState(), eventLoop: channel.eventLoop)
    }

    var eventLoop: EventLoop { loop }

    /// False once the unsent bytes passed the channel's high watermark (the
    /// slow-consumer bound).
    var isWritable: Bool { channel.isWritable }

    func write(_ frame: ByteBuffer) {
        if loop.inEventLoop {
            state.value.nioUnflushed = true
            context.value.write(NIOAny(frame), promise: nil)
        } else {
            loop.execute { self.write(frame) }
        }
    }

    func beginRead() { state.value.inRead = true }

    /// The read ended: one flush for whatever it wrote.
    func endRead() {
        state.value.inRead = false
        guard state.value.flushDeferred else { return }
        state.value.flushDeferred = false
        flushNIO()
    }

    func flush() {
        if loop.inEventLoop {
            if state.value.inRead { state.value.flushDeferred = true } else { flushNIO() }
        } else {
            loop.execute { self.flush() }
        }
    }

    /// NIO's flush, and the marker after NIO-written bytes that says when they have all left.
    private func flushNIO() {
        let ctx = context.value
        if descriptor >= 0, state.value.nioUnflushed {
            state.value.nioUnflushed = false
            state.value.markersOwed += 1
            let sent = ctx.eventLoop.makePromise(of: Void.self)
            ctx.write(NIOAny(Self.marker), promise: sent)
            sent.futureResult.whenComplete { [state] _ in state.value.markersOwed -= 1 }
        }
        ctx.flush()
    }

    /// One frame, flushed. On the channel's loop with nothing of this connection in NIO (the
    /// fan-out's usual case), the frame goes straight to the socket in one `send`, skipping
    /// NIO's pipeline and pending-writes queue; whatever the socket does not take at once
    /// (a full send buffer, an error NIO then reports and closes on) goes through NIO as before.
    /// Returns true when the socket took the whole frame: NIO holds nothing then, so the
    /// channel is writable without asking it (its cache line stays cold).
    @discardableResult
    func writeAndFlush(_ frame: ByteBuffer) -> Bool {
        // `isActive` is false from the moment NIO closes the descriptor (on this loop, before
        // any callback runs), so the number is never written after it may have been reused.
        guard descriptor >= 0, loop.inEventLoop, state.value.sendsDirectly, channel.isActive else {
            write(frame)
            flush()
            return false
        }
        var rest = frame
        let count = rest.readableBytes
        var sent: Int
        repeat {
            sent = rest.withUnsafeReadableBytes { send(descriptor, $0.baseAddress, count, CInt(MSG_DONTWAIT | MSG_NOSIGNAL)) }
        } while sent < 0 && errno == EINTR
        if sent == count { return true }
        if sent > 0 { rest.moveReaderIndex(forwardBy: sent) }
        write(rest)
        flushNIO()
        return false
    }

    /// Sends a close frame (1000) and closes the TCP connection after it.
    func close(code: UInt16 = 1000) {
        let run: @Sendable () -> Void = {
            var frame = ByteBufferAllocator().buffer(capacity: 4)
            WebSocketFraming.writeHeader(opcode: 0x8, length: 2, into: &frame)
            frame.writeInteger(code)
            self.context.value.writeAndFlush(NIOAny(frame), promise: nil)
            self.channel.close(promise: nil)
        }
        if loop.inEventLoop { run() } else { loop.execute(run) }
    }

    /// Closes without a close frame (transport error, refused second socket).
    func abort() {
        channel.close(promise: nil)
    }
}

extension WebSocketFraming {
    /// One Engine.IO packet as a server text frame (`<digit><data>`), or a
    /// binary frame for binary messages.
    static func serverFrame(_ packet: EngineIOPacket, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        switch packet.payload {
        case .text: return serverTextFrame(packet.textFrame, allocator: allocator)
        case .binary(let b): return serverBinaryFrame(b, allocator: allocator)
        }
    }

    /// A control frame (pong 0xA, close 0x8) carrying `payload`.
    static func serverControlFrame(opcode: UInt8, payload: ByteBuffer) -> ByteBuffer {
        var buf = ByteBufferAllocator().buffer(capacity: 2 + payload.readableBytes)
        writeHeader(opcode: opcode, length: payload.readableBytes, into: &buf)
        var p = payload
        buf.writeBuffer(&p)
        return buf
    }
}
