#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The standard `process_*` figures, read from `/proc/self` at scrape time
/// the way the official Prometheus clients do, so the usual dashboards and
/// alerts (CPU, RSS, fd exhaustion, restarts) work unchanged. Where there is
/// no `/proc` (macOS) the family is left out rather than reported as zero.
struct ProcessMetrics: Equatable {
    var cpuSeconds: Double
    var residentBytes: Double
    var virtualBytes: Double
    var startTimeSeconds: Double
    var openFDs: Double
    var maxFDs: Double?

    /// This process now; nil when `/proc/self/stat` cannot be read or parsed.
    static func current() -> ProcessMetrics? {
        guard let stat = readProcFile("/proc/self/stat"),
              let bootTime = readProcFile("/proc/stat").flatMap(parseBootTime) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        return parse(stat: stat, bootTime: bootTime, ticksPerSecond: ticks > 0 ? ticks : 100, pageSize: pageSize,
                     openFDs: countOpenFDs(), limits: readProcFile("/proc/self/limits"))
    }

    /// `/proc/self/stat`: the fields after the command name's closing
    /// parenthesis (the name itself may hold spaces and parentheses).
    static func parse(stat: String, bootTime: Double, ticksPerSecond: Double, pageSize: Double,
                      openFDs: Int, limits: String?) -> ProcessMetrics? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        // Index 0 is field 3 (state) of proc(5).
        let f = stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        func field(_ n: Int) -> Double? { n - 3 < f.count ? Double(f[n - 3]) : nil }
        guard let utime = field(14), let stime = field(15), let start = field(22),
              let vsize = field(23), let rss = field(24) else { return nil }
        return ProcessMetrics(cpuSeconds: (utime + stime) / ticksPerSecond, residentBytes: rss * pageSize,
                              virtualBytes: vsize, startTimeSeconds: bootTime + start / ticksPerSecond,
                              openFDs: Double(openFDs), maxFDs: limits.flatMap(parseMaxOpenFiles))
    }

    /// `btime` of `/proc/stat`: the boot time in Unix seconds.
    static func parseBootTime(_ text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingSpaces)
        }
        return nil
    }

    /// The soft limit of the `Max open files` row of `/proc/self/limits`.
    static func parseMaxOpenFiles(_ text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix("Max open files") {
            let soft = line.dropFirst("Max open files".count).split(separator: " ").first
            return soft.flatMap { Double($0) }  // "unlimited" → nil: the family is left out
        }
        return nil
    }

    private static func countOpenFDs() -> Int {
        guard let dir = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(dir) }
        var n = 0
        while let entry = readdir(dir) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                raw.first == UInt8(ascii: ".")
            }
            if !isDot { n += 1 }
        }
        return max(0, n - 1)  // the directory stream's own descriptor
    }

    /// `/proc` files report size 0, so read until end of file.
    static func readProcFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

private extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " || s.last == "\r" { s.removeLast() }
        return s
    }
}
