import NIOCore
import SocketIOWire

/// The domain's handle to write to one accepted Socket.IO socket. It stays
/// valid after the socket ended (the domain may still hold it); writes then
/// go nowhere. Confined to `eventLoop` like its session.
final class SocketIOOutput: SocketOutput, @unchecked Sendable {
    let eventLoop: EventLoop
    private var session: EngineIOSession?

    init(session: EngineIOSession) {
        self.eventLoop = session.eventLoop
        self.session = session
    }

    /// Called when the socket ends; later writes are dropped.
    func detach() { session = nil }
    var isAttached: Bool { session != nil }

    func write(frame: ByteBuffer) { session?.write(frame: frame) }

    func flush() { session?.flush() }

    func send(_ packet: SocketIOPacket) { session?.send(packet.engineIOPacket) }

    var canWrite: Bool { session?.canWrite ?? false }

    func writePaced(frame: ByteBuffer) { session?.write(frame: frame, paced: true) }

    func whenWritable(_ body: @escaping @Sendable () -> Void) { session?.whenWritable(body) }

    func disconnect(_ cause: ServerDisconnectCause) {
        guard let s = session else { return }
        s.socketIO.serverDisconnect(cause)
    }
}
