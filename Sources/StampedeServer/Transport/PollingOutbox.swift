import NIOCore
import SocketIOWire

/// Packets waiting for the next long-poll GET. Holds payload slices of the
/// same frames the WebSocket path writes (no re-encoding), and counts bytes
/// so the slow-consumer bound applies to polling sockets too.
struct PollingOutbox: Sendable {
    private var packets: [ByteBuffer] = []
    private(set) var byteCount = 0

    var isEmpty: Bool { packets.isEmpty }

    mutating func append(_ packetText: ByteBuffer) {
        byteCount += packetText.readableBytes
        packets.append(packetText)
    }

    mutating func append(_ packet: EngineIOPacket) {
        var buf = ByteBufferAllocator().buffer(capacity: 16)
        buf.writeString(packet.textFrame)
        append(buf)
    }

    /// Everything queued, as one polling body (records joined by 0x1E).
    mutating func drainPayload(allocator: ByteBufferAllocator) -> ByteBuffer {
        var out = allocator.buffer(capacity: byteCount + packets.count)
        for (i, var p) in packets.enumerated() {
            if i > 0 { out.writeInteger(PollingPayload.separator) }
            out.writeBuffer(&p)
        }
        packets.removeAll(keepingCapacity: false)
        byteCount = 0
        return out
    }

    /// Everything queued, one buffer per packet (for the WebSocket after an
    /// upgrade).
    mutating func drainPackets() -> [ByteBuffer] {
        defer { packets = []; byteCount = 0 }
        return packets
    }
}
