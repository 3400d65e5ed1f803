import Foundation
import NIOCore
import StampedeReports

/// Is the generator itself the bottleneck? Event-loop lag (a task's wait to run) and process
/// CPU from /proc/self/stat. A saturated generator's latencies say nothing about the server.
final class HealthMonitor: @unchecked Sendable {
    private var lag = LatencyHistogram()
    private var lastCPU: (ticks: Double, at: Double)?
    private var cpuSamples: [Double] = []
    private let lock = NSLock()

    /// Measures each loop's scheduling delay once (call once a second).
    func probe(_ loops: [EventLoop]) async {
        for loop in loops {
            let sent = EngineClock.monotonicMicros()
            if let ran = try? await loop.submit({ EngineClock.monotonicMicros() }).get() {
                lock.withLock { lag.record(max(1, ran &- sent)) }
            }
        }
        if let ticks = Self.cpuTicks() {
            let now = Double(EngineClock.monotonicMicros()) / 1e6
            lock.withLock {
                if let last = lastCPU, now > last.at {
                    let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
                    cpuSamples.append((ticks - last.ticks) / hz / (now - last.at) * 100)
                }
                lastCPU = (ticks, now)
            }
        }
    }

    var cpuNow: Double { lock.withLock { cpuSamples.last ?? 0 } }

    func summary() -> GeneratorHealth {
        lock.withLock {
            let p99 = Double(lag.valueAtPercentile(99)) / 1000
            let cpu = cpuSamples.isEmpty ? 0 : cpuSamples.reduce(0, +) / Double(cpuSamples.count)
            let cores = Double(System.coreCount)
            // Saturated: loops answered late for 1 % of probes, or the process used nearly every core.
            let saturated = p99 > 100 || cpu > 95 * cores
            return GeneratorHealth(loopLagP99Ms: p99, cpuPercent: cpu, saturated: saturated)
        }
    }

    static func cpuTicks() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After "(comm)": state is field 3 → index 0; utime is field 14 → index 11, stime index 12.
        guard fields.count > 12, let u = Double(fields[11]), let s = Double(fields[12]) else { return nil }
        return u + s
    }
}
