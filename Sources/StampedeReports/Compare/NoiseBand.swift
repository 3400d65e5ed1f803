import Foundation

/// Comparing against several baselines (`stampede compare B1.json B2.json … CURRENT.json`): the
/// baselines' own spread is the noise band. A row regresses only when it regresses against every
/// baseline — worse, significantly, than even the slowest of them — so run-to-run drift of the
/// machine (seen here: p50 2.2–3.4 ms across ten runs of one binary on a shared box) is not
/// reported as a regression. One baseline behaves exactly as before.
extension ReportComparator {
    public static func compare(baselines: [RunReport], current: RunReport, options: CompareOptions = CompareOptions()) -> ComparisonResult {
        precondition(!baselines.isEmpty, "at least one baseline")
        // A saturated baseline measured its generator, not the server: it widens nothing.
        let healthy = baselines.filter { !$0.generatorHealth.saturated }
        let baselines = healthy.isEmpty ? baselines : healthy
        if baselines.count == 1 { return compare(baseline: baselines[0], current: current, options: options) }
        let each = baselines.map { compare(baseline: $0, current: current, options: options) }
        func key(_ r: ComparisonRow) -> String { "\(r.metric)\u{1}\(r.statistic)" }
        var byKey: [String: [ComparisonRow]] = [:]
        for result in each { for r in result.rows { byKey[key(r), default: []].append(r) } }
        var rows: [ComparisonRow] = []
        var seen = Set<String>()
        for r in each[0].rows + each.dropFirst().flatMap(\.rows) where seen.insert(key(r)).inserted {
            let all = byKey[key(r)] ?? [r]
            let regressedEverywhere = all.count == baselines.count && all.allSatisfy { $0.status == .regressed || $0.status == .missing }
            if regressedEverywhere {
                // The least-regressed comparison is the honest one to show: beyond the whole band.
                var row = all.min { abs($0.relativeChange ?? .infinity) < abs($1.relativeChange ?? .infinity) }!
                row.note = "beyond all \(baselines.count) baselines" + (row.note.map { "; \($0)" } ?? "")
                rows.append(row)
            } else {
                var row = all.first { $0.status != .regressed && $0.status != .missing } ?? r
                if all.contains(where: { $0.status == .regressed || $0.status == .missing }) {
                    row.status = .noise
                    row.note = "within the band of \(baselines.count) baselines"
                }
                rows.append(row)
            }
        }
        return ComparisonResult(rows: rows)
    }

    /// A saturated generator measured itself: its latencies judge nothing (the report says so).
    static func saturationNote(_ baseline: RunReport, _ current: RunReport) -> String? {
        switch (baseline.generatorHealth.saturated, current.generatorHealth.saturated) {
        case (true, true): "both generators saturated"
        case (true, false): "baseline generator saturated"
        case (false, true): "current generator saturated"
        default: nil
        }
    }
}
