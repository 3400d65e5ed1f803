import NIOCore
import SocketIOWire
import StampedeContract
import StampedeJSON

/// One retained event: the stamped event (for the HTTP API and for replays
/// encoded without an offset) and its live frame, encoded once.
struct StoredEvent: Sendable {
    let event: WorkflowEvent
    /// Connection-state-recovery offset: a server-wide counter, assigned in
    /// the same critical section that queues live delivery, so every socket
    /// sees live events in offset order.
    let offset: UInt64
    /// `42["type",{…},"offset"]` as a whole server WebSocket frame.
    let frame: ByteBuffer

    var seq: Int64 { event.seq }
}

/// One live event as one event loop writes it: its seq and that loop's own copy of the
/// shared frame. Why a copy per loop: every write retains the frame's storage until the
/// kernel took it, and one storage written by both loops made its reference count a cache
/// line the two cores fought over, ten thousand times per event — `swift_retain` was 10 % of
/// the server's CPU at 45,000 deliveries/s. One copy per (publish, loop) costs a few hundred
/// bytes; the seq beside it spares each socket a copy of the whole `StoredEvent`.
struct LiveFrame {
    let seq: Int64
    let frame: ByteBuffer

    /// Made on the loop that writes it.
    static func loopCopies(of batch: [StoredEvent], allocator: ByteBufferAllocator) -> [LiveFrame] {
        batch.map { e in
            var copy = allocator.buffer(capacity: e.frame.readableBytes)
            copy.writeImmutableBuffer(e.frame)
            return LiveFrame(seq: e.seq, frame: copy)
        }
    }
}

/// Encodes an event as the Engine.IO message carrying a Socket.IO EVENT.
enum EventFrameEncoder {
    static func frame(_ event: WorkflowEvent, offset: UInt64?, allocator: ByteBufferAllocator) -> ByteBuffer {
        var text = "42[\""
        text.reserveCapacity(256)
        text += event.type  // validated: [a-z0-9_] only, nothing to escape
        text += "\","
        JSONWriter.write(event.payload, into: &text)
        if let offset {
            text += ",\""
            text += String(offset)
            text += "\""
        }
        text += "]"
        return WebSocketFraming.serverTextFrame(text, allocator: allocator)
    }
}
