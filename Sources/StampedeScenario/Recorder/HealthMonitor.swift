import Foundation
import NIOConcurrencyHelpers
import NIOCore
import StampedeReports

/// Is the generator itself the bottleneck? Event-loop lag (a task's wait to run) and process
/// CPU from /proc/self/stat. A saturated generator's latencies say nothing about the server.
final class HealthMonitor: Sendable {
    struct State {
        var lag = LatencyHistogram()
        var lastCPU: (ticks: Double, at: Double)?
        var cpuSamples: [Double] = []
    }
    private let state = NIOLockedValueBox(State())

    /// Measures each loop's scheduling delay once (call once a second).
    func probe(_ loops: [EventLoop]) async {
        for loop in loops {
            let sent = EngineClock.monotonicMicros()
            if let ran = try? await loop.submit({ EngineClock.monotonicMicros() }).get() {
                state.withLockedValue { $0.lag.record(max(1, ran &- sent)) }
            }
        }
        if let ticks = Self.cpuTicks() {
            let now = Double(EngineClock.monotonicMicros()) / 1e6
            state.withLockedValue { s in
                if let last = s.lastCPU, now > last.at {
                    let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
                    s.cpuSamples.append((ticks - last.ticks) / hz / (now - last.at) * 100)
                }
                s.lastCPU = (ticks, now)
            }
        }
    }

    var cpuNow: Double { state.withLockedValue { $0.cpuSamples.last ?? 0 } }

    func summary() -> GeneratorHealth {
        state.withLockedValue { s in
            let p99 = Double(s.lag.valueAtPercentile(99)) / 1000
            let cpu = s.cpuSamples.isEmpty ? 0 : s.cpuSamples.reduce(0, +) / Double(s.cpuSamples.count)
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
