import DequeModule
import NIOCore
import SocketIOWire
import StampedeContract
import StampedeJSON

/// One authenticated Socket.IO socket as the domain sees it. Lives on its
/// transport's event loop; every method runs there. Not `Sendable`: it
/// leaves its loop only loop-bound (the CONNECT decision, a cluster
/// subscribe's journal read), and its loop's `LoopFanout` holds it.
final class SocketSession: DomainSocket {
    let output: SocketOutput
    let principal: Principal
    let sid: String
    let pid: String?
    var transport: EngineIOTransport
    /// Subscribed workflows → the last seq written to this socket.
    // `@exclusivity(unchecked)`: loop-confined per-delivery state (docs/ARCHITECTURE.md, "Threads and confinement").
    @exclusivity(unchecked) var positions: [String: Int64] = [:]
    var bucket: TokenBucket
    var refusals: RefusalWindow
    var ended = false
    /// Set once the domain asked the transport to disconnect it: nothing it
    /// sends after that is served.
    var closing = false

    var eventLoop: EventLoop { output.eventLoop }

    /// One event owed to this socket: a frame written as it is (a live
    /// event's, with its offset), or an event re-encoded without offset (a
    /// `since` replay, which must not move the client's recovery offset).
    enum Owed {
        case frame(ByteBuffer)
        case withoutOffset(WorkflowEvent)
    }
    /// Events owed ahead of live delivery (a replay, and live events that
    /// arrived behind it), written as the socket drains.
    private var backlog: Deque<Owed> = []
    private var backlogLiveBytes = 0
    private let outboundLimit: Int
    private let allocator = ByteBufferAllocator()
    /// Counts events as they reach the socket (stats `events_delivered`).
    var onDelivered: (Int) -> Void = { _ in }

    init(output: SocketOutput, principal: Principal, sid: String, pid: String?, transport: EngineIOTransport, limits: DomainLimits) {
        self.output = output
        self.principal = principal
        self.sid = sid
        self.pid = pid
        self.transport = transport
        self.outboundLimit = limits.outboundQueueLimit
        let now = NIODeadline.now()
        self.bucket = TokenBucket(rate: limits.socketEventsPerSecond, burst: limits.socketEventBurst, now: now)
        self.refusals = RefusalWindow(limit: limits.refusalsBeforeDisconnect, window: .seconds(Int64(limits.refusalWindowSeconds)))
    }

    /// Writes the events of the batch this socket has not seen yet; returns
    /// how many it wrote. With `flush`, the last one goes out flushed (in the same call down to
    /// the transport); without, the loop's fan-out flushes the socket at the end of the loop
    /// turn, so the events of several publishes share one write. Skipping `seq <= position` is
    /// what makes a replay racing a live batch, or a repeated subscribe, never duplicate. While
    /// a replay is still being paced out, live events queue behind it (they
    /// must not overtake it), within the slow-consumer bound. One hash of
    /// `workflowID` per call: the position is read and written through its index
    /// (unless a write ended the socket, which invalidates it).
    func deliver(_ batch: [StoredEvent], workflowID: String, flush: Bool) -> Int {
        guard !ended, let slot = positions.index(forKey: workflowID) else { return 0 }
        var position = positions.values[slot]
        if !backlog.isEmpty {
            for e in batch where e.seq > position {
                backlog.append(.frame(e.frame))
                backlogLiveBytes += e.frame.readableBytes
                position = e.seq
            }
            positions.values[slot] = position
            if backlogLiveBytes > outboundLimit, !closing {
                closing = true
                output.disconnect(.slowConsumer)
            }
            return 0
        }
        var written = 0
        // By index: only each event's seq and frame are read, where `for e in batch` copied
        // every `StoredEvent` (a retain and release of its event's fields) per socket. Seqs rise
        // through a batch, so when anything is written the batch's last event is.
        let last = batch.count - 1
        for i in batch.indices where batch[i].seq > position {
            if flush, i == last { output.writeAndFlush(frame: batch[i].frame) } else { output.write(frame: batch[i].frame) }
            position = batch[i].seq
            written += 1
        }
        // A write past the outbound bound ends the socket at once (slow consumer), and
        // ending it empties `positions`: the index is stale then, and nothing is owed.
        guard written > 0, !ended else { return written }
        positions.values[slot] = position
        return written
    }

    /// Set while the socket waits in its loop's end-of-turn flush list.
    @exclusivity(unchecked) var flushPending = false

    /// Queues replayed events (`since`: encoded without offsets, so a replay
    /// never moves the client's recovery offset backwards; recovery: with
    /// them) and starts writing them as fast as the socket drains — never
    /// counted against the slow-consumer bound. Returns how many it queued.
    func replay(_ events: some Sequence<StoredEvent>, withOffsets: Bool = false) -> Int {
        var queued = 0
        for e in events {
            let id = e.event.workflowID
            guard let position = positions[id], e.seq > position else { continue }
            backlog.append(withOffsets ? .frame(e.frame) : .withoutOffset(e.event))
            positions[id] = e.seq
            queued += 1
        }
        if queued > 0, backlog.count == queued { drainBacklog() }
        return queued
    }

    /// Writes owed events while the socket can take them, then waits for it
    /// to drain. Delivered events are counted as they are written.
    private func drainBacklog() {
        guard !ended else { backlog = []; return }
        while true {
            var written = 0
            while output.canWrite, let item = backlog.popFirst() {
                switch item {
                case .frame(let frame): output.writePaced(frame: frame)
                case .withoutOffset(let event): output.writePaced(frame: EventFrameEncoder.frame(event, offset: nil, allocator: allocator))
                }
                written += 1
            }
            if written > 0 {
                output.flush()
                onDelivered(written)
            }
            if backlog.isEmpty {
                backlogLiveBytes = 0
                return
            }
            // A flush that the kernel took at once leaves the socket writable
            // again (and its writability event already fired): go on.
            guard output.canWrite else {
                output.whenWritable { [self] in drainBacklog() }
                return
            }
        }
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
