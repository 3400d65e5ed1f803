import Crypto
import NIOCore

/// Builds whole server-to-client WebSocket frames (FIN, unmasked) so one
/// encoded event can be written to every subscriber as the same buffer —
/// the fan-out path never re-frames per socket.
public enum WebSocketFraming {
    /// RFC 6455 §1.3: the `Sec-WebSocket-Accept` answering a `Sec-WebSocket-Key` — what the
    /// server sends and the client checks.
    public static func acceptValue(key: String) -> String {
        Base64.encode(Array(Insecure.SHA1.hash(data: Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))))
    }

    public static func headerSize(payloadLength n: Int) -> Int {
        n < 126 ? 2 : (n <= 0xFFFF ? 4 : 10)
    }

    /// A text frame (opcode 1) holding `payload`.
    public static func serverTextFrame(_ payload: String, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        let n = payload.utf8.count
        var buf = allocator.buffer(capacity: headerSize(payloadLength: n) + n)
        writeHeader(opcode: 0x1, length: n, into: &buf)
        buf.writeString(payload)
        return buf
    }

    /// A binary frame (opcode 2).
    public static func serverBinaryFrame(_ payload: [UInt8], allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buf = allocator.buffer(capacity: headerSize(payloadLength: payload.count) + payload.count)
        writeHeader(opcode: 0x2, length: payload.count, into: &buf)
        buf.writeBytes(payload)
        return buf
    }

    /// FIN, `opcode` and the length in its shortest form; `masked` sets the mask bit (a client's
    /// frame, whose 4-byte key the caller writes next).
    public static func writeHeader(opcode: UInt8, length n: Int, masked: Bool = false, into buf: inout ByteBuffer) {
        let mask: UInt8 = masked ? 0x80 : 0
        buf.writeInteger(UInt8(0x80 | opcode))
        if n < 126 {
            buf.writeInteger(mask | UInt8(n))
        } else if n <= 0xFFFF {
            buf.writeInteger(mask | 126)
            buf.writeInteger(UInt16(n))
        } else {
            buf.writeInteger(mask | 127)
            buf.writeInteger(UInt64(n))
        }
    }

    /// A whole client-to-server frame (FIN, masked with `maskKey` as RFC 6455 §5.3 requires of
    /// a client): what the load generator writes straight to its channel, with no frame encoder
    /// in its pipeline.
    public static func clientFrame(opcode: UInt8, payload: UnsafeRawBufferPointer, maskKey: UInt32 = .random(in: .min ... .max),
                                   allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        let n = payload.count
        var buf = allocator.buffer(capacity: headerSize(payloadLength: n) + 4 + n)
        writeHeader(opcode: opcode, length: n, masked: true, into: &buf)
        buf.writeInteger(maskKey)
        withUnsafeBytes(of: maskKey.bigEndian) { key in
            buf.writeWithUnsafeMutableBytes(minimumWritableBytes: n) { out in
                for i in 0..<n { out[i] = payload[i] ^ key[i & 3] }
                return n
            }
        }
        return buf
    }

    /// The payload part of a frame built above (a slice: no copy), for
    /// transports such as long-polling that need the bare packet text.
    public static func payload(ofServerFrame frame: ByteBuffer) -> ByteBuffer {
        var f = frame
        guard let second = f.getInteger(at: f.readerIndex + 1, as: UInt8.self) else { return f }
        let len = Int(second & 0x7F)
        let header = len < 126 ? 2 : (len == 126 ? 4 : 10)
        f.moveReaderIndex(forwardBy: header)
        return f
    }
}
