import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Source ports the client binds itself, in turn through the ephemeral range, instead of
/// leaving the choice to `connect()`.
///
/// Why: Linux's `connect()` takes even ephemeral ports first (odd ones are left to `bind()`),
/// and once one source address holds more connections than the range has even ports (about
/// 14,100 of 32768–60999) every connect walks that whole half before falling back to the odd
/// one. Measured on this machine by `scripts/floor/connect-ports.c`: 30–35 µs of CPU per connect up to
/// 14,000 connections, **1.2 ms** per connect past it — enough to saturate the load generator
/// at 3,000 connects/s with a connect p99 of half a second. Binding the next port of the range
/// (with `SO_REUSEADDR`, so a port whose old connection is in TIME_WAIT can be bound again) is
/// one hash-bucket check; a port that is taken (a listener, a live connection to the same
/// server, another program's socket) fails at once and the next one is tried.
///
/// One instance per process is the point (`shared`): every connection of the process walks the
/// same cursor, so consecutive connects never ask for the same port.
public final class SourcePorts: Sendable {
    public let range: ClosedRange<Int>
    private let cursor: NIOLockedValueBox<Int>

    /// The process's allocator over the kernel's ephemeral range
    /// (`net.ipv4.ip_local_port_range`), starting at a random port so that two generator
    /// processes on one host do not walk in step.
    public static let shared = SourcePorts(range: kernelEphemeralRange())

    public init(range: ClosedRange<Int>, start: Int? = nil) {
        precondition(range.lowerBound >= 1 && range.upperBound <= 65535, "source ports must be 1…65535")
        self.range = range
        let first = start.map { min(max($0, range.lowerBound), range.upperBound) } ?? Int.random(in: range)
        cursor = NIOLockedValueBox(first)
    }

    /// The next port to try (wraps at the end of the range).
    public func next() -> Int {
        cursor.withLockedValue { c in
            let p = c
            c = c >= range.upperBound ? range.lowerBound : c + 1
            return p
        }
    }

    /// A taken port is skipped this many times before the kernel is left to choose (NIO's
    /// path, a channel per try; and the reactor's, when a bound port's connect fails).
    static let attempts = 16
    /// The reactor binds one socket to this many ports in turn before the kernel chooses:
    /// a failed bind is one syscall on the same socket.
    static let bindAttempts = 1024

    /// `net.ipv4.ip_local_port_range`, or Linux's default where it cannot be read.
    static func kernelEphemeralRange() -> ClosedRange<Int> {
        let fallback = 32768...60999
        guard let f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r") else { return fallback }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 64)
        guard fgets(&line, Int32(line.count), f) != nil else { return fallback }
        let fields = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
        guard fields.count == 2, fields[0] >= 1, fields[1] <= 65535, fields[0] < fields[1] else { return fallback }
        return fields[0]...fields[1]
    }

    /// The address a connection to `target` binds before it connects: the client's own local
    /// address, or — to pick the source port itself — the family's any-address; nil when neither
    /// applies (the kernel chooses everything).
    static func bindHost(localAddress: String?, ports: SourcePorts?, target: SocketAddress?) -> String? {
        if let localAddress { return localAddress }
        guard ports != nil, let target else { return nil }
        return target.protocol == .inet6 ? "::" : "0.0.0.0"
    }

    /// Whether a failed connect attempt means "this source port is taken": try the next one.
    static func isPortTaken(_ error: Error) -> Bool {
        guard let io = error as? IOError else { return false }
        return isPortTaken(errno: io.errnoCode)
    }

    static func isPortTaken(errno e: Int32) -> Bool { e == EADDRINUSE || e == EADDRNOTAVAIL }
}

extension ClientBootstrap {
    /// Connects from `localAddress` (nil: whatever the route picks) and, with `ports`, from the
    /// next source port in turn, skipping taken ones; after `SourcePorts.attempts` taken ports,
    /// or for a host name (its address family is known only after resolving), the kernel
    /// chooses. Callable from any thread.
    func connect(to endpoint: ServerEndpoint, from localAddress: String?, ports: SourcePorts?,
                 on loop: EventLoop) -> EventLoopFuture<Channel> {
        let target = try? SocketAddress(ipAddress: endpoint.host, port: endpoint.port)
        guard let bindHost = SourcePorts.bindHost(localAddress: localAddress, ports: ports, target: target) else { return connect(to: endpoint) }
        guard let source = try? SocketAddress(ipAddress: bindHost, port: 0) else {
            return loop.makeFailedFuture(ClientError.connectionFailed("bad local address \(bindHost)"))
        }
        if ports != nil { _ = channelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1) }
        return attempt(endpoint, from: source, ports: ports, left: ports == nil ? 0 : SourcePorts.attempts, on: loop)
    }

    /// One connect from `source` at the next port of `ports` (port 0, the kernel's choice, once
    /// no tries are `left`); a taken port tries again with the next.
    private func attempt(_ endpoint: ServerEndpoint, from source: SocketAddress, ports: SourcePorts?, left: Int,
                         on loop: EventLoop) -> EventLoopFuture<Channel> {
        var bound = source
        bound.port = left > 0 ? ports?.next() ?? 0 : 0
        // The bootstrap is this connect's alone and used by one attempt at a time: the next
        // starts in the callback of the one before, so handing it to that callback is safe.
        let me = UncheckedBox(self)
        return bind(to: bound).connect(to: endpoint).flatMapError { error in
            guard left > 0, SourcePorts.isPortTaken(error) else { return loop.makeFailedFuture(error) }
            return me.value.attempt(endpoint, from: source, ports: ports, left: left - 1, on: loop)
        }
    }
}
