#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blocking loopback TCP socket with bounded reads: the live fuzzer
/// writes arbitrary bytes (no client library would send them) and only
/// needs to know what came back within a few milliseconds, or whether the
/// server closed.
final class FuzzSocket {
    private(set) var fd: Int32
    private(set) var closedByPeer = false

    init?(port: Int) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { Glibc.close(fd); return nil }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        // Close with a reset: thousands of short connections must not
        // leave the client's ports in TIME_WAIT.
        var lingerOff = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lingerOff, socklen_t(MemoryLayout<linger>.size))
    }

    deinit { close() }

    func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }

    /// False when the peer is gone (reset or closed).
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        guard fd >= 0 else { return false }
        var off = 0
        while off < bytes.count {
            // Bounded: a server that stops reading must not block the fuzzer.
            guard wait(events: Int16(POLLOUT), ms: 500) else { return false }
            let n = bytes[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { closedByPeer = true; return false }
            off += n
        }
        return true
    }

    /// Whatever arrives within `ms` (stopping early once `complete` says
    /// the bytes so far are a whole answer, or the peer closes).
    func read(ms: Int, until complete: ([UInt8]) -> Bool = { _ in false }) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        var left = ms
        while fd >= 0, !closedByPeer {
            let started = Self.nowMs()
            guard wait(events: Int16(POLLIN), ms: max(left, 0)) else { break }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n <= 0 { closedByPeer = true; break }
            out += chunk[0..<n]
            if complete(out) { break }
            left -= Self.nowMs() - started
            if left <= 0 { break }
        }
        return out
    }

    /// Drops whatever is waiting without blocking; notes a close.
    func drain() {
        _ = read(ms: 0)
    }

    private func wait(events: Int16, ms: Int) -> Bool {
        var p = pollfd(fd: fd, events: events, revents: 0)
        let r = poll(&p, 1, Int32(ms))
        if r > 0, p.revents & Int16(POLLHUP | POLLERR) != 0, p.revents & events == 0 { closedByPeer = true; return false }
        return r > 0
    }

    static func nowMs() -> Int {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return t.tv_sec * 1000 + t.tv_nsec / 1_000_000
    }
}

/// Just enough HTTP/1.1 to know when a response is whole.
enum HTTPWire {
    /// True once the head and a `Content-Length` body have arrived.
    static func isCompleteResponse(_ b: [UInt8]) -> Bool {
        guard let end = headEnd(b) else { return false }
        let head = String(decoding: b[0..<end], as: UTF8.self).lowercased()
        if head.hasPrefix("http/1.1 101") { return true }
        guard let r = head.range(of: "content-length:") else { return false }
        let digits = head[r.upperBound...].drop(while: { $0 == " " }).prefix(while: { $0.isNumber })
        guard let len = Int(digits) else { return false }
        return b.count >= end + 4 + len
    }

    static func headEnd(_ b: [UInt8]) -> Int? {
        guard b.count >= 4 else { return nil }
        for i in 0...(b.count - 4) where b[i] == 13 && b[i + 1] == 10 && b[i + 2] == 13 && b[i + 3] == 10 { return i }
        return nil
    }

    static func status(_ b: [UInt8]) -> Int? {
        guard b.count >= 12, b.starts(with: Array("HTTP/1.".utf8)) else { return nil }
        return Int(String(decoding: b[9..<12], as: UTF8.self))
    }

    static func body(_ b: [UInt8]) -> [UInt8] {
        guard let end = headEnd(b) else { return [] }
        return Array(b[(end + 4)...])
    }
}
