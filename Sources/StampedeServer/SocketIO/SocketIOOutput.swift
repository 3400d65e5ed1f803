import NIOCore
import SocketIOWire

/// The domain's handle to write to one accepted Socket.IO socket. It stays
/// valid after the socket ended (the domain may still hold it); writes then
/// go nowhere. Confined to `eventLoop` like its session: the one mutable
/// field sits in a `NIOLoopBoundBox`, so every call checks the loop (one
/// thread comparison per write, no allocation) and the type is `Sendable`
/// without an unchecked promise.
final class SocketIOOutput: SocketOutput {
    let eventLoop: EventLoop
    private let session: NIOLoopBoundBox<EngineIOSession?>

    /// Made on the session's loop (the CONNECT is handled there).
    init(session: EngineIOSession) {
        self.eventLoop = session.eventLoop
        self.session = NIOLoopBoundBox(session, eventLoop: session.eventLoop)
    }

    /// Called when the socket ends; later writes are dropped.
    func detach() { session.value = nil }
    var isAttached: Bool { attached != nil }
    /// A read of the box that ends before the call it serves: a write may
    /// end the socket, which detaches it.
    private var attached: EngineIOSession? { session.value }

    func write(frame: ByteBuffer) { attached?.write(frame: frame) }

    func flush() { attached?.flush() }

    func writeAndFlush(frame: ByteBuffer) { attached?.writeAndFlush(frame: frame) }

    func send(_ packet: SocketIOPacket) { attached?.send(packet.engineIOPacket) }

    var canWrite: Bool { attached?.canWrite ?? false }

    func writePaced(frame: ByteBuffer) { attached?.write(frame: frame, paced: true) }

    func whenWritable(_ body: @escaping () -> Void) { attached?.whenWritable(body) }

    func disconnect(_ cause: ServerDisconnectCause) {
        guard let s = attached else { return }
        s.socketIO.serverDisconnect(cause)
    }
}
