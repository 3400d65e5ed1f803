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

    /// While the Engine.IO handler is inside a read: flushes wait for the
    /// read's end (`endRead`), so the replies one read causes — a CONNECT
    /// answer with a recovery's replay, a subscribe ack with its `since`
    /// events, several acks — leave in one write.
    private struct ReadBatch {
        var inRead = false
        var flushDeferred = false
    }
    private let readBatch: NIOLoopBoundBox<ReadBatch>

    /// Made by the Engine.IO handler, on the channel's loop; `writer` is the context writes
    /// start from.
    init(channel: Channel, writer: ChannelHandlerContext) {
        self.channel = channel
        self.context = NIOLoopBound(writer, eventLoop: channel.eventLoop)
        self.readBatch = NIOLoopBoundBox(ReadBatch(), eventLoop: channel.eventLoop)
    }

    var eventLoop: EventLoop { channel.eventLoop }

    /// False once the unsent bytes passed the channel's high watermark (the
    /// slow-consumer bound).
    var isWritable: Bool { channel.isWritable }

    func write(_ frame: ByteBuffer) {
        if channel.eventLoop.inEventLoop {
            context.value.write(NIOAny(frame), promise: nil)
        } else {
            channel.eventLoop.execute { self.context.value.write(NIOAny(frame), promise: nil) }
        }
    }

    func beginRead() { readBatch.value.inRead = true }

    /// The read ended: one flush for whatever it wrote.
    func endRead() {
        readBatch.value.inRead = false
        guard readBatch.value.flushDeferred else { return }
        readBatch.value.flushDeferred = false
        context.value.flush()
    }

    func flush() {
        if channel.eventLoop.inEventLoop {
            if readBatch.value.inRead { readBatch.value.flushDeferred = true } else { context.value.flush() }
        } else {
            channel.eventLoop.execute { self.context.value.flush() }
        }
    }

    func writeAndFlush(_ frame: ByteBuffer) {
        write(frame)
        flush()
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
        if channel.eventLoop.inEventLoop { run() } else { channel.eventLoop.execute(run) }
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
