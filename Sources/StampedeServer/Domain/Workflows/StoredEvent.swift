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
