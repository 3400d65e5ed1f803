#if os(Linux)
import CEpoll
import Glibc
import NIOCore
import SocketIOWire

/// Engine.IO over one plain (`ws://`) WebSocket on a `ReactorLoop`: the socket is the
/// transport's own descriptor, connected, upgraded and read here, with no NIO channel.
/// Behaves as `WebSocketTransport` does — the same frames, the same close reasons, reading
/// paused and resumed by `setReading` — at a fraction of its cost per read (see `ReactorLoop`).
/// Loop-confined: every method runs on the reactor's thread.
final class ReactorWebSocketTransport: EngineTransport, ReactorHandler, ServerFrameStreamSink {
    let kind = EngineIOTransport.websocket
    private let options: ClientOptions
    private let sid: String?
    private let loop: ReactorLoop
    private var sink: TransportSink?

    private enum Phase {
        case idle
        /// `connect(2)` is in progress; writable means it finished.
        case connecting
        /// The upgrade request is written; the response head is being read.
        case handshaking(ClientUpgradeHandshake, received: ByteBuffer)
        case open
        case closed
    }
    // `@exclusivity(unchecked)`: loop-confined per-delivery state (docs/ARCHITECTURE.md, "Threads and confinement").
    @exclusivity(unchecked) private var phase = Phase.idle
    private var fd: Int32 = -1
    @exclusivity(unchecked) private var stream: ServerFrameStream
    @exclusivity(unchecked) private var reading = true
    /// Bytes `write(2)` did not take; sent when the socket is writable again.
    @exclusivity(unchecked) private var pending: ByteBuffer?
    /// Past this much unsent, the server has stopped reading us: the connection fails rather
    /// than buffer without bound.
    static let maxPending = 8 << 20
    /// Sends that raced the upgrade; normally empty (the server speaks first).
    private var early: [String] = []

    init(options: ClientOptions, sid: String?, loop: ReactorLoop, sink: TransportSink) {
        self.options = options
        self.sid = sid
        self.loop = loop
        self.sink = sink
        self.stream = ServerFrameStream(maxFrameSize: options.maxFrameSize)
    }

    // MARK: connecting

    func start() {
        switch ReactorSocket.connect(to: options.endpoint, from: options.localAddress, ports: options.sourcePorts) {
        case .failure(let why): fail(.error("connect: \(why)"))
        case .success(let s):
            fd = s
            phase = .connecting
            do { try loop.register(fd, events: interest, handler: self) } catch { fail(.error("connect: \(error)")) }
        }
    }

    private func connected() {
        var err: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
        guard err == 0 else { return fail(.error("connect: \(String(cString: strerror(err))) (errno: \(err))")) }
        let handshake = ClientUpgradeHandshake()
        let target = EngineIOURL.target(transport: .websocket, sid: sid, extra: options.query)
        var request = handshake.request(target: target, host: options.endpoint.hostHeader, headers: options.headers)
        phase = .handshaking(handshake, received: loop.bufferAllocator.buffer(capacity: 512))
        var bytes = loop.bufferAllocator.buffer(capacity: request.utf8.count)
        request.withUTF8 { _ = bytes.writeBytes($0) }
        writeOut(bytes)
        loop.modify(fd, events: interest)
    }

    /// What epoll should report: reads while reading is on, writes while connecting or while
    /// something waits to go out.
    private var interest: UInt32 {
        var e: UInt32 = 0
        if case .connecting = phase { return EPOLLOUT.rawValue }
        if reading { e |= EPOLLIN.rawValue | EPOLLRDHUP.rawValue }
        if pending != nil { e |= EPOLLOUT.rawValue }
        return e
    }

    // MARK: readiness

    func reactorReady(_ events: UInt32) {
        if case .connecting = phase {
            if events & (EPOLLOUT.rawValue | EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 { connected() }
            return
        }
        if events & EPOLLOUT.rawValue != 0 { drainPending() }
        if reading {
            if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 { readAvailable() }
        } else if events & (EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
            // Not reading, so the socket's end shows only as a hang-up: as NIO's channel does, close.
            fail(isOpen ? .transportClosed : .error("WebSocket upgrade refused"))
        }
    }

    private var isOpen: Bool { if case .open = phase { return true } else { return false } }
    private var isClosed: Bool { if case .closed = phase { return true } else { return false } }

    /// Reads what the socket holds into the loop's buffer and feeds it on; a read that fills
    /// the buffer is followed by another, so one wakeup empties the socket.
    private func readAvailable() {
        while !isClosed && reading {
            let n: Int = loop.withReadBuffer { buffer in
                var got = 0
                buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: ReactorLoop.readCapacity) { p in
                    got = Glibc.read(fd, p.baseAddress, p.count)
                    return max(got, 0)
                }
                if got > 0 { received(&buffer) }
                return got
            }
            if n > 0 {
                if n < ReactorLoop.readCapacity { return }
                continue
            }
            if n == 0 { return fail(isOpen ? .transportClosed : .error("WebSocket upgrade refused")) }
            let e = errno
            if e == EAGAIN || e == EWOULDBLOCK { return }
            if e == EINTR { continue }
            return fail(isOpen ? .transportClosed : .error("WebSocket: \(String(cString: strerror(e))) (errno: \(e))"))
        }
    }

    private func received(_ buffer: inout ByteBuffer) {
        switch phase {
        case .open:
            stream.feed(&buffer, to: self, allocator: loop.bufferAllocator)
        case .handshaking(let handshake, var head):
            head.writeBuffer(&buffer)
            switch handshake.answer(&head) {
            case .needMore: phase = .handshaking(handshake, received: head)
            case .refused(let why): fail(.error(why))
            case .upgraded:
                phase = .open
                for t in early { write(t) }
                early = []
                // The server's open packet can share a segment with the 101.
                if head.readableBytes > 0 { stream.feed(&head, to: self, allocator: loop.bufferAllocator) }
            }
        case .idle, .connecting, .closed:
            break
        }
    }

    // MARK: ServerFrameStreamSink

    func frameStreamDidReceive(_ text: ByteBuffer) { sink?.transportDidReceive(text) }
    func frameStreamDidFail(_ reason: ClientCloseReason) { fail(reason) }
    func frameStreamDidPing(_ payload: ByteBuffer) {
        let pong = payload.withUnsafeReadableBytes { WebSocketFraming.clientFrame(opcode: 0xA, payload: $0, allocator: loop.bufferAllocator) }
        writeOut(pong)
    }

    // MARK: writing

    func send(_ text: String) {
        switch phase {
        case .closed: return
        case .open: write(text)
        case .idle, .connecting, .handshaking: early.append(text)
        }
    }

    private func write(_ text: String) {
        var text = text
        let frame = text.withUTF8 { WebSocketFraming.clientFrame(opcode: 0x1, payload: UnsafeRawBufferPointer($0), allocator: loop.bufferAllocator) }
        writeOut(frame)
    }

    /// Writes at once when nothing is queued; what the socket does not take waits for EPOLLOUT.
    private func writeOut(_ bytes: ByteBuffer) {
        guard !isClosed else { return }
        if pending != nil {
            var b = bytes
            pending!.writeBuffer(&b)
            if pending!.readableBytes > Self.maxPending {
                fail(.error("WebSocket: over \(Self.maxPending >> 20) MB unsent; the server stopped reading"))
            }
            return
        }
        var rest = bytes
        guard writeSome(&rest) else { return }
        if rest.readableBytes > 0 {
            pending = rest
            loop.modify(fd, events: interest)
        }
    }

    /// Writes what it can of `bytes`; false when the socket failed (and the transport closed).
    private func writeSome(_ bytes: inout ByteBuffer) -> Bool {
        while bytes.readableBytes > 0 {
            let n = bytes.withUnsafeReadableBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n > 0 { bytes.moveReaderIndex(forwardBy: n); continue }
            let e = errno
            if e == EAGAIN || e == EWOULDBLOCK { return true }
            if e == EINTR { continue }
            fail(isOpen ? .transportClosed : .error("WebSocket: write: \(String(cString: strerror(e)))"))
            return false
        }
        return true
    }

    private func drainPending() {
        guard var p = pending else { return }
        pending = nil
        guard writeSome(&p) else { return }
        if p.readableBytes > 0 { pending = p } else { loop.modify(fd, events: interest) }
    }

    // MARK: closing

    func setReading(_ on: Bool) {
        guard reading != on, !isClosed else { return }
        reading = on
        if case .connecting = phase { return }
        loop.modify(fd, events: interest)
    }

    func close(_ mode: TransportCloseMode) {
        guard !isClosed else { return }
        sink = nil
        switch mode {
        case .abrupt:
            var l = linger(l_onoff: 1, l_linger: 0)
            if fd >= 0 { setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size)) }
        case .graceful:
            if isOpen {
                let frame = withUnsafeBytes(of: UInt16(1000).bigEndian) {  // normal closure
                    WebSocketFraming.clientFrame(opcode: 0x8, payload: $0, allocator: loop.bufferAllocator)
                }
                writeOut(frame)  // best effort, as the courtesy it is: the socket closes next
            }
        }
        release()
    }

    private func fail(_ reason: ClientCloseReason) {
        guard !isClosed else { return }
        release()
        let s = sink
        sink = nil
        s?.transportDidClose(reason)
    }

    private func release() {
        phase = .closed
        pending = nil
        early = []
        guard fd >= 0 else { return }
        loop.deregister(fd)
        Glibc.close(fd)
        fd = -1
    }
}
#endif
