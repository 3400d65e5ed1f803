import NIOCore
import NIOWebSocket
import SocketIOWire

/// The write side of one server WebSocket: whole pre-framed frames go out as
/// raw `ByteBuffer`s from the Engine.IO handler's context (only byte-level
/// handlers sit below it, no frame encoder) — the fan-out frame built once
/// is the frame on the wire.
final class WebSocketLink: @unchecked Sendable {
    let channel: Channel
    /// Only touched on `channel.eventLoop`.
    private let encoderContext: ChannelHandlerContext

    init(channel: Channel, context: ChannelHandlerContext) {
        self.channel = channel
        self.encoderContext = context
    }

    var eventLoop: EventLoop { channel.eventLoop }

    /// False once the unsent bytes passed the channel's high watermark (the
    /// slow-consumer bound).
    var isWritable: Bool { channel.isWritable }

    func write(_ frame: ByteBuffer) {
        if channel.eventLoop.inEventLoop {
            encoderContext.write(NIOAny(frame), promise: nil)
        } else {
            channel.eventLoop.execute { self.encoderContext.write(NIOAny(frame), promise: nil) }
        }
    }

    /// While the Engine.IO handler is inside a read: flushes wait for the
    /// read's end (`endRead`), so the replies one read causes — a CONNECT
    /// answer with a recovery's replay, a subscribe ack with its `since`
    /// events, several acks — leave in one write. Only touched on the
    /// channel's loop.
    private var inRead = false
    private var flushDeferred = false

    func beginRead() { inRead = true }

    /// The read ended: one flush for whatever it wrote.
    func endRead() {
        inRead = false
        if flushDeferred {
            flushDeferred = false
            encoderContext.flush()
        }
    }

    func flush() {
        if channel.eventLoop.inEventLoop {
            if inRead { flushDeferred = true } else { encoderContext.flush() }
        } else {
            channel.eventLoop.execute { self.encoderContext.flush() }
        }
    }

    func writeAndFlush(_ frame: ByteBuffer) {
        write(frame)
        flush()
    }

    /// Sends a close frame (1000) and closes the TCP connection after it.
    func close(code: UInt16 = 1000) {
        let run = {
            var frame = ByteBufferAllocator().buffer(capacity: 4)
            WebSocketFraming.writeHeader(opcode: 0x8, length: 2, into: &frame)
            frame.writeInteger(code)
            self.encoderContext.writeAndFlush(NIOAny(frame), promise: nil)
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
