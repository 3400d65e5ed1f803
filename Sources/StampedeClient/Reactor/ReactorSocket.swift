#if os(Linux)
import CEpoll
import Glibc
import NIOCore

/// Opening the reactor transport's socket: non-blocking, `TCP_NODELAY`, bound to the client's
/// local address and next source port as `SourcePorts` explains (a taken port moves on to the
/// next), then `connect(2)` started. IP literals only: a host name needs a resolver, and
/// `ClientLoops` keeps those on NIO.
enum ReactorSocket {
    static func connect(to endpoint: ServerEndpoint, from localAddress: String?, ports: SourcePorts?) -> Result<Int32, ReactorSocketError> {
        guard let target = try? SocketAddress(ipAddress: endpoint.host, port: endpoint.port) else {
            return .failure(.init("\(endpoint.host) is not an IP address"))
        }
        let family = target.protocol == .inet6 ? AF_INET6 : AF_INET
        let bindHost = SourcePorts.bindHost(localAddress: localAddress, ports: ports, target: target)
        var tries = ports == nil ? 1 : SourcePorts.attempts + 1
        while true {
            tries -= 1
            let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { return .failure(.errno("socket", errno)) }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if let bindHost {
                if ports != nil { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) }
                switch bindSource(fd, host: bindHost, ports: tries > 0 ? ports : nil) {
                case .bound: break
                case .allTaken:
                    close(fd)
                    tries = 1  // the kernel chooses on the next pass
                    continue
                case .failed(let e):
                    close(fd)
                    return .failure(.errno("bind", e))
                case .badAddress:
                    close(fd)
                    return .failure(.init("bad local address \(bindHost)"))
                }
            }
            let rc = target.withSockAddr { Glibc.connect(fd, $0, socklen_t($1)) }
            if rc == 0 || errno == EINPROGRESS { return .success(fd) }
            let e = errno
            close(fd)
            if bindHost != nil && tries > 0 && SourcePorts.isPortTaken(errno: e) { continue }
            return .failure(.errno("connect", e))
        }
    }
}

extension ReactorSocket {
    enum Bound { case bound, allTaken, failed(Int32), badAddress }

    /// Binds `fd` to the next free port of `ports` (any port when nil). A failed bind leaves
    /// the socket unbound, so the next port is tried on the same socket, up to
    /// `SourcePorts.bindAttempts` of them: a taken port costs one syscall instead of a socket,
    /// an option and a close, and a long run of taken ports (another program's) no longer
    /// hands the choice to the kernel after 16, at ~1.2 ms once the range is crowded (§15).
    static func bindSource(_ fd: Int32, host: String, ports: SourcePorts?) -> Bound {
        guard var source = try? SocketAddress(ipAddress: host, port: 0) else { return .badAddress }
        for _ in 0..<(ports == nil ? 1 : SourcePorts.bindAttempts) {
            source.port = ports?.next() ?? 0
            if source.withSockAddr({ Glibc.bind(fd, $0, socklen_t($1)) }) == 0 { return .bound }
            let e = errno
            guard ports != nil, SourcePorts.isPortTaken(errno: e) else { return .failed(e) }
        }
        return .allTaken
    }
}

struct ReactorSocketError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
    static func errno(_ call: String, _ e: Int32) -> ReactorSocketError {
        ReactorSocketError("\(call): \(String(cString: strerror(e))) (errno: \(e))")
    }
}
#endif
