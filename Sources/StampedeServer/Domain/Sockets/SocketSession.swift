import NIOCore
import SocketIOWire
import StampedeContract
import StampedeJSON

/// One authenticated Socket.IO socket as the domain sees it. Lives on its
/// transport's event loop; every method runs there.
final class SocketSession: DomainSocket, @unchecked Sendable {
    let output: SocketOutput
    let principal: Principal
    let sid: String
    let pid: String?
    var transport: EngineIOTransport
    /// Subscribed workflows → the last seq written to this socket.
    var positions: [String: Int64] = [:]
    var bucket: TokenBucket
    var refusals: RefusalWindow
    var ended = false
    /// Set once the domain asked the transport to disconnect it: nothing it
    /// sends after that is served.
    var closing = false

    var eventLoop: EventLoop { output.eventLoop }

    init(output: SocketOutput, principal: Principal, sid: String, pid: String?, transport: EngineIOTransport, limits: DomainLimits) {
        self.output = output
        self.principal = principal
        self.sid = sid
        self.pid = pid
        self.transport = transport
        let now = NIODeadline.now()
        self.bucket = TokenBucket(rate: limits.socketEventsPerSecond, burst: limits.socketEventBurst, now: now)
        self.refusals = RefusalWindow(limit: limits.refusalsBeforeDisconnect, window: .seconds(Int64(limits.refusalWindowSeconds)))
    }

    /// Writes the events of the batch this socket has not seen yet; returns
    /// how many it wrote. Skipping `seq <= position` is what makes a replay
    /// racing a live batch, or a repeated subscribe, never duplicate.
    func deliver(_ batch: [StoredEvent], workflowID: String) -> Int {
        guard !ended, var position = positions[workflowID] else { return 0 }
        var written = 0
        for e in batch where e.seq > position {
            output.write(frame: e.frame)
            position = e.seq
            written += 1
        }
        guard written > 0 else { return 0 }
        positions[workflowID] = position
        output.flush()
        return written
    }

    /// Writes replayed events (encoded for this socket, without offsets: a
    /// replay must not move the client's recovery offset backwards).
    func replay(_ events: ArraySlice<StoredEvent>, workflowID: String) -> Int {
        guard var position = positions[workflowID] else { return 0 }
        var written = 0
        let allocator = ByteBufferAllocator()
        for e in events where e.seq > position {
            output.write(frame: EventFrameEncoder.frame(e.event, offset: nil, allocator: allocator))
            position = e.seq
            written += 1
        }
        positions[workflowID] = position
        if written > 0 { output.flush() }
        return written
    }

    func ack(_ id: UInt64?, _ reply: JSONValue) {
        guard let id else { return }
        output.send(.ack(id, [reply]))
    }

    /// A refusal goes back as the ack when one was asked for, else as an
    /// `error` event (PROTOCOL §3).
    func refuse(_ ackID: UInt64?, _ code: RequestErrorCode, _ message: String, retryAfterMs: Int? = nil) {
        if let ackID {
            output.send(.ack(ackID, [Replies.refused(code, message, retryAfterMs: retryAfterMs)]))
        } else {
            output.send(.event(RequestName.error, [Replies.errorEvent(code, message, retryAfterMs: retryAfterMs)]))
        }
    }
}
