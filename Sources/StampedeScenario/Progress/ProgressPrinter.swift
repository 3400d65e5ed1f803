import Foundation
import StampedeJSON
import StampedeReports

/// A live line on a terminal (rewritten in place), one plain line every 5 s otherwise,
/// and the final summary table.
public struct ProgressPrinterText { public static func summary(_ r: RunReport, exitCode: Int32) -> String { ProgressPrinter.summary(r, exitCode: exitCode) } }

struct ProgressPrinter: Sendable {
    let mode: ProgressMode

    init(_ mode: ProgressMode) {
        if mode == .auto { self.mode = isatty(STDERR_FILENO) != 0 ? .tty : .lines } else { self.mode = mode }
    }

    /// `left` is the whole run's remaining time (all phases), `violations` the check violations so far.
    func tick(t: Int, phase: String, left: Double, sample: SecondSample, p99: Double?, errors: Int, violations: Int = 0) {
        if mode == .json {
            // One object a second for tools that follow a run: keys are stable and documented.
            var o: JSONObject = ["t": .int(Int64(t)), "phase": .string(phase), "remaining_s": .double(max(0, left).rounded()),
                                 "connections": .int(Int64(sample.connections)), "events_per_second": .double(sample.eventsPerSecond),
                                 "errors": .int(Int64(errors)), "violations": .int(Int64(violations))]
            o["event_delivery_p99_ms"] = p99.map { .double(($0 * 100).rounded() / 100) } ?? .null
            FileHandle.standardError.write(Data((JSONValue.object(o).serialized + "\n").utf8))
            return
        }
        guard mode == .tty || (mode == .lines && t % 5 == 0) else { return }
        let p = p99.map { String(format: "%.1fms", $0) } ?? "-"
        let line = String(format: "[%4ds] %@ (run: %.0fs left)  conns %d  events/s %.0f  event_delivery p99 %@  errors %d  violations %d",
                          t, phase, max(0, left), sample.connections, sample.eventsPerSecond, p, errors, violations)
        if mode == .tty { FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8)) }
        else { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    /// A check violation as it happens, on its own line (the first few of each check; the count
    /// keeps going in the progress line). Quiet mode prints nothing; JSON mode prints an object.
    func violation(t: Int, _ v: Violation) {
        switch mode {
        case .quiet, .auto: return
        case .json:
            let o: JSONObject = ["t": .int(Int64(t)), "violation": .string(v.check.rawValue), "evidence": .string(v.description)]
            FileHandle.standardError.write(Data((JSONValue.object(o).serialized + "\n").utf8))
        case .tty:
            FileHandle.standardError.write(Data("\r\u{1B}[2K[\(t)s] VIOLATION \(v.check.rawValue): \(v.description)\n".utf8))
        case .lines:
            FileHandle.standardError.write(Data("[\(t)s] VIOLATION \(v.check.rawValue): \(v.description)\n".utf8))
        }
    }

    func finish() { if mode == .tty { FileHandle.standardError.write(Data("\n".utf8)) } }

    /// The summary table printed after every run.
    static func summary(_ r: RunReport, exitCode: Int32) -> String {
        var out = "\n\(r.scenarioName): \(String(format: "%.1f", r.durationSeconds))s\n\n"
        out += "metric                  count      p50      p95      p99      max  (ms)\n"
        for (name, m) in r.metrics.sorted(by: { $0.key < $1.key }) {
            out += name.padding(toLength: 20, withPad: " ", startingAt: 0)
            out += String(format: "%9llu %8.2f %8.2f %8.2f %8.2f\n", m.count, m.p50, m.p95, m.p99, m.max)
        }
        out += "\nchecks\n"
        for c in r.checks {
            // What the check looked at, so a PASS in a CI log is visibly not a vacuous one.
            let observed = CheckObservationLine.sentence(c).map { "  (\($0))" } ?? ""
            out += "  \(c.passed ? "PASS" : "FAIL")  \(c.name)\(observed)\n"
            for e in c.evidence.prefix(3) { out += "        \(e)\n" }
        }
        if !r.budgets.isEmpty { out += "budgets\n" }
        for b in r.budgets {
            let a = b.actual.map { String(format: "%.3f", $0) } ?? "no data"
            out += "  \(b.passed ? "PASS" : "FAIL")  \(b.expression)  (actual \(a) \(b.unit))\n"
        }
        if !r.errorsByCode.isEmpty {
            out += "errors\n"
            for (k, v) in r.errorsByCode.sorted(by: { $0.value > $1.value }).prefix(10) { out += "  \(v)  \(k)\n" }
        }
        let h = r.generatorHealth
        out += String(format: "generator: loop lag p99 %.1fms, cpu %.0f%%%@\n", h.loopLagP99Ms, h.cpuPercent,
                      h.saturated ? " — SATURATED: latencies unreliable, latency budgets failed" : "")
        out += "result: \(["passed", "budget failed", "check failed", "could not start", "interrupted"][Int(min(4, max(0, exitCode)))]) (exit \(exitCode))\n"
        return out
    }
}
