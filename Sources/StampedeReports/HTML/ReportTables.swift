import Foundation

/// The tables of report.html. Failures sort first: the reader came for them.
enum ReportTables {
    static func e(_ s: String) -> String { XMLEscaping.escape(s) }
    static func n(_ v: Double) -> String { BudgetText.number(v) }

    static func facts(_ r: RunReport) -> String {
        var rows: [(String, String)] = [
            ("target", r.target.url + (r.target.embedded ? " (embedded)" : "")),
            ("start", ReportCoding.formatTimestamp(r.start)),
            ("end", ReportCoding.formatTimestamp(r.end)),
            ("duration", "\(n(r.durationSeconds)) s"),
            ("phases", r.phases.map { "\($0.name) \(n($0.end.timeIntervalSince($0.start))) s" }.joined(separator: ", ")),
            ("host", "\(r.environment.host) · \(r.environment.cores) cores · \(r.environment.os)"),
            ("versions", "stampede \(r.environment.stampedeVersion) · Swift \(r.environment.swiftVersion)"
                + (r.environment.gitCommit.map { " · commit \($0)" } ?? "")),
            ("workers", String(r.environment.workers)),
            ("client sockets", r.environment.clientIO ?? ""),
        ]
        rows.removeAll { $0.1.isEmpty }
        for name in r.counters.keys.sorted() {
            let total = r.counters[name]!
            let rate = r.durationSeconds > 0 ? " (\(n(Double(total) / r.durationSeconds))/s)" : ""
            rows.append((name, "\(total)\(rate)"))
        }
        return "<dl class=\"facts\">" + rows.map { "<dt>\(e($0.0))</dt><dd>\(e($0.1))</dd>" }.joined() + "</dl>\n"
    }

    static func budgets(_ r: RunReport) -> String {
        guard !r.budgets.isEmpty else { return "<p class=\"muted\">No budgets in this scenario.</p>" }
        let ordered = failuresFirst(r.budgets, passed: \.passed)
        var t = "<table id=\"budgets\"><thead><tr><th>budget</th><th class=\"num\">actual</th><th></th><th class=\"num\">limit</th><th>unit</th><th>result</th></tr></thead><tbody>"
        for b in ordered {
            t += "<tr class=\"\(b.passed ? "ok" : "fail")\"><td>\(e(b.expression))</td>"
            t += "<td class=\"num\">\(b.actual.map(n) ?? "no data")</td><td>\(e(b.comparison))</td>"
            t += "<td class=\"num\">\(n(b.limit))</td><td>\(e(b.unit))</td><td>\(label(b.passed))</td></tr>"
        }
        return t + "</tbody></table>"
    }

    static func checks(_ r: RunReport) -> String {
        guard !r.checks.isEmpty else { return "<p class=\"muted\">No checks in this scenario.</p>" }
        let ordered = failuresFirst(r.checks, passed: \.passed)
        // "observed": what each check looked at, so a pass is visibly not a vacuous one.
        var t = "<table id=\"checks\"><thead><tr><th>check</th><th>result</th><th>observed</th><th>evidence</th></tr></thead><tbody>"
        for c in ordered {
            t += "<tr class=\"\(c.passed ? "ok" : "fail")\"><td>\(e(c.name))</td><td>\(label(c.passed))</td>"
            t += "<td class=\"observed\">\(CheckObservationLine.sentence(c).map(e) ?? "")</td><td>"
            if !c.evidence.isEmpty {
                t += "<ul class=\"evidence\">" + c.evidence.map { "<li>\(e($0))</li>" }.joined() + "</ul>"
            }
            t += "</td></tr>"
        }
        return t + "</tbody></table>"
    }

    static func metrics(_ r: RunReport) -> String {
        guard !r.metrics.isEmpty else { return "<p class=\"muted\">No latency recorded.</p>" }
        let columns = ["count", "min", "mean", "stdev", "p50", "p75", "p90", "p95", "p99", "p999", "max"]
        var t = "<table id=\"metrics\"><thead><tr><th>metric (ms)</th>"
        t += columns.map { "<th class=\"num\">\($0 == "p999" ? "p99.9" : $0)</th>" }.joined() + "</tr></thead><tbody>"
        for name in r.metrics.keys.sorted() {
            let m = r.metrics[name]!
            t += "<tr><td>\(e(name))</td>"
            t += columns.map { "<td class=\"num\">\(n(m.statistic($0) ?? 0))</td>" }.joined()
            t += "</tr>"
        }
        return t + "</tbody></table>"
    }

    static func errors(_ r: RunReport) -> String {
        guard !r.errorsByCode.isEmpty else { return "<p class=\"muted\">No errors.</p>" }
        var t = "<table id=\"errors\"><thead><tr><th>code</th><th class=\"num\">count</th></tr></thead><tbody>"
        for (code, count) in r.errorsByCode.sorted(by: { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }) {
            t += "<tr><td>\(e(code))</td><td class=\"num\">\(count)</td></tr>"
        }
        return t + "</tbody></table>"
    }

    static func generatorHealth(_ r: RunReport) -> String {
        let g = r.generatorHealth
        var s = "<dl class=\"facts\"><dt>event-loop lag p99</dt><dd>\(n(g.loopLagP99Ms)) ms</dd>"
        s += "<dt>CPU</dt><dd>\(n(g.cpuPercent)) %</dd><dt>saturated</dt><dd>\(g.saturated ? "yes" : "no")</dd></dl>"
        if g.saturated {
            s += "<p class=\"fail-label\">The generator was saturated: latencies above include its own delay.</p>"
        }
        return s
    }

    /// Stable: failures first, each group in the scenario's order.
    static func failuresFirst<T>(_ items: [T], passed: (T) -> Bool) -> [T] {
        items.filter { !passed($0) } + items.filter(passed)
    }

    static func label(_ passed: Bool) -> String {
        passed ? "<span class=\"pass\">passed</span>" : "<span class=\"fail-label\">FAILED</span>"
    }
}
