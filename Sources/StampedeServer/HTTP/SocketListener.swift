#if canImport(Glibc)
import Glibc
#endif
import CEpoll
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The server's listening socket, accepted on a thread of its own, each
/// connection handed to an event loop as an NIO channel made from its
/// descriptor (`ClientBootstrap.withConnectedSocket`).
///
/// Why not `ServerBootstrap`: NIO never tells a child channel its descriptor,
/// and the fan-out writes each frame straight to the socket when nothing is
/// queued in NIO (`WebSocketLink.writeAndFlush`), which skips NIO's per-channel
/// write path, where most of the server's own CPU per delivered event went (user time 7.8 →
/// 4.7 µs, docs/BENCHMARKS.md §20). Accepting here is what lets the pipeline know the
/// descriptor it is built for.
final class SocketListener: Sendable {
    /// The bound port (the real one when asked for port 0).
    let port: Int
    private let descriptor: CInt
    private enum State { case bound, accepting, stopped }
    private let state = NIOLockedValueBox(State.bound)
    private let exited = DispatchSemaphore(value: 0)

    /// Binds and listens; nothing is accepted before `start`.
    init(host: String, port: Int, backlog: CInt = 1024, reusePort: Bool) throws {
        let address = try SocketAddress.makeAddressResolvingHost(host, port: port)
        let family: CInt
        switch address {
        case .v4: family = AF_INET
        case .v6: family = AF_INET6
        case .unixDomainSocket: throw ListenerError.unsupportedAddress(host)
        }
        let fd = socket(family, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        // NIO's own error for a failed call, as `ServerBootstrap` threw: the CLI names its errno.
        guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        func fail(_ call: String) -> IOError {
            let e = errno
            Glibc.close(fd)
            return IOError(errnoCode: e, reason: call)
        }
        var one: CInt = 1
        guard setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<CInt>.size)) == 0 else { throw fail("SO_REUSEADDR") }
        if reusePort {
            guard setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<CInt>.size)) == 0 else { throw fail("SO_REUSEPORT") }
        }
        let bound = address.withSockAddr { sa, len in Glibc.bind(fd, sa, socklen_t(len)) }
        guard bound == 0 else { throw fail("bind \(host):\(port)") }
        guard listen(fd, backlog) == 0 else { throw fail("listen") }
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard named == 0 else { throw fail("getsockname") }
        self.port = withUnsafeBytes(of: storage) { raw in
            // sin_port and sin6_port sit at the same offset, in network order.
            Int(UInt16(bigEndian: raw.load(fromByteOffset: 2, as: UInt16.self)))
        }
        self.descriptor = fd
    }

    /// Accepts until `close`; each connection is handed to the group's next loop, and there
    /// becomes a channel by the bootstrap `bootstrap` makes for its descriptor (one per
    /// connection: its initializer is told the descriptor). The channel is made on its loop,
    /// not here: objects allocated on this thread come from its own malloc arena and would be
    /// freed on the loops (a profile showed that arena growing, docs/BENCHMARKS.md §20).
    func start(group: EventLoopGroup, _ bootstrap: @escaping @Sendable (CInt, EventLoop) -> ClientBootstrap) {
        let go = state.withLockedValue { s -> Bool in
            guard s == .bound else { return false }
            s = .accepting
            return true
        }
        guard go else { return }
        let thread = Thread { [self] in
            cepoll_name_thread("stampede-accept")
            acceptLoop(group, bootstrap)
            exited.signal()
        }
        thread.start()
    }

    private func acceptLoop(_ group: EventLoopGroup, _ bootstrap: @escaping @Sendable (CInt, EventLoop) -> ClientBootstrap) {
        while true {
            let c = cepoll_accept_nonblocking(descriptor)
            if c >= 0 {
                let loop = group.next()
                // On failure NIO closes the channel, and with it the descriptor.
                loop.execute { bootstrap(c, loop).withConnectedSocket(c).whenFailure { _ in } }
                continue
            }
            let e = errno
            if state.withLockedValue({ $0 }) == .stopped { return }
            switch e {
            case EINTR, ECONNABORTED, EPROTO, EPERM:
                continue
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                // Out of descriptors or memory: the connection waits in the backlog; try again
                // once something may have been freed, as NIO's server channel does.
                usleep(10_000)
            default:
                return
            }
        }
    }

    /// Stops accepting and closes the socket; connections already accepted stay open.
    func close() {
        let was = state.withLockedValue { s -> State in
            defer { s = .stopped }
            return s
        }
        switch was {
        case .stopped: return
        case .bound: break
        case .accepting:
            // Wakes the thread blocked in accept (Linux returns EINVAL to it).
            shutdown(descriptor, CInt(SHUT_RDWR))
            exited.wait()
        }
        Glibc.close(descriptor)
    }

    enum ListenerError: Error, CustomStringConvertible {
        case unsupportedAddress(String)

        var description: String {
            switch self {
            case .unsupportedAddress(let host): return "cannot listen on \(host)"
            }
        }
    }
}
