import NIOCore
import SocketIOWire

/// What a `ServerFrameStream` finds in the bytes it is fed.
protocol ServerFrameStreamSink: AnyObject {
    /// One whole text message, as a slice of the read buffer when it came in one frame.
    func frameStreamDidReceive(_ text: ByteBuffer)
    /// A ping: the owner writes the pong (it owns the socket).
    func frameStreamDidPing(_ payload: ByteBuffer)
    /// A close frame (`.closedByServer`) or a protocol error; nothing more is fed after it.
    func frameStreamDidFail(_ reason: ClientCloseReason)
}

/// The client's WebSocket receive state with no I/O: server frames are parsed in place out of
/// whatever was read, whole frames handed on as slices, the start of a frame whose rest has not
/// arrived kept (copied, so that the read buffer can be reused), fragmented text messages
/// assembled. Shared by the NIO handler (`ServerFrameReader`) and the reactor's transport
/// (`ReactorWebSocketTransport`). Server frames are unmasked (RFC 6455 §5.1), so a payload is
/// the bytes as they arrived; a masked frame, reserved bits, an unknown opcode or a frame over
/// the size limit is a protocol error.
struct ServerFrameStream {
    private let maxFrameSize: Int
    /// The start of a frame whose rest has not arrived yet; nil almost always.
    private var partial: ByteBuffer?
    /// A fragmented text message being assembled; nil almost always.
    private var fragments: ByteBuffer?
    private(set) var failed = false

    init(maxFrameSize: Int) { self.maxFrameSize = maxFrameSize }

    /// Hands on every whole frame in `buffer` (after what an earlier read left unfinished).
    mutating func feed<S: ServerFrameStreamSink>(_ buffer: inout ByteBuffer, to sink: S, allocator: ByteBufferAllocator) {
        guard !failed else { return }
        if var head = partial {
            partial = nil
            head.writeBuffer(&buffer)
            buffer = head
        }
        while !failed {
            switch Self.nextFrame(&buffer, maxFrameSize: maxFrameSize) {
            case .frame(let fin, let opcode, let payload): handle(fin: fin, opcode: opcode, payload: payload, sink: sink)
            case .needMore:
                if buffer.readableBytes > 0 {
                    var own = allocator.buffer(capacity: max(buffer.readableBytes, 256))
                    own.writeBuffer(&buffer)
                    partial = own
                }
                return
            case .invalid(let why): fail("WebSocket: \(why)", to: sink)
            }
        }
    }

    enum Parsed: Equatable {
        case frame(fin: Bool, opcode: UInt8, payload: ByteBuffer)
        case needMore
        case invalid(String)
    }

    /// One frame off the front of `buffer`, or what stops there; consumes only a whole frame.
    static func nextFrame(_ buffer: inout ByteBuffer, maxFrameSize: Int) -> Parsed {
        guard let b0: UInt8 = buffer.getInteger(at: buffer.readerIndex),
              let b1: UInt8 = buffer.getInteger(at: buffer.readerIndex + 1) else { return .needMore }
        guard b0 & 0x70 == 0 else { return .invalid("reserved bits set") }
        guard b1 & 0x80 == 0 else { return .invalid("a server frame must not be masked") }
        var header = 2
        var length = Int(b1 & 0x7F)
        if length == 126 {
            guard let l: UInt16 = buffer.getInteger(at: buffer.readerIndex + 2) else { return .needMore }
            length = Int(l)
            header = 4
        } else if length == 127 {
            guard let l: UInt64 = buffer.getInteger(at: buffer.readerIndex + 2) else { return .needMore }
            guard l <= UInt64(maxFrameSize) else { return .invalid("frame of \(l) bytes over the \(maxFrameSize)-byte limit") }
            length = Int(l)
            header = 10
        }
        guard length <= maxFrameSize else { return .invalid("frame of \(length) bytes over the \(maxFrameSize)-byte limit") }
        guard buffer.readableBytes >= header + length else { return .needMore }
        buffer.moveReaderIndex(forwardBy: header)
        let payload = buffer.readSlice(length: length)!
        return .frame(fin: b0 & 0x80 != 0, opcode: b0 & 0x0F, payload: payload)
    }

    private mutating func handle<S: ServerFrameStreamSink>(fin: Bool, opcode: UInt8, payload: ByteBuffer, sink: S) {
        switch opcode {
        case 0x1:  // text
            guard fragments == nil else { return fail("WebSocket: a new message inside a fragmented one", to: sink) }
            if fin { sink.frameStreamDidReceive(payload) } else { fragments = payload }
        case 0x0:  // continuation
            guard var f = fragments else { return fail("WebSocket: a continuation with no message to continue", to: sink) }
            var more = payload
            f.writeBuffer(&more)
            guard f.readableBytes <= maxFrameSize else { return fail("WebSocket: message over the \(maxFrameSize)-byte limit", to: sink) }
            if fin {
                fragments = nil
                sink.frameStreamDidReceive(f)
            } else {
                fragments = f
            }
        case 0x2:  // binary: attachments are outside the contract
            break
        case 0x8:  // close
            failed = true
            partial = nil
            sink.frameStreamDidFail(.closedByServer)
        case 0x9:  // ping
            sink.frameStreamDidPing(payload)
        case 0xA:  // pong
            break
        default:
            fail("WebSocket: unknown opcode \(opcode)", to: sink)
        }
    }

    /// Ends the stream with a protocol error (once).
    mutating func fail<S: ServerFrameStreamSink>(_ reason: String, to sink: S) {
        guard !failed else { return }
        failed = true
        partial = nil
        sink.frameStreamDidFail(.error(reason))
    }
}
