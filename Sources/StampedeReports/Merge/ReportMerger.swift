import Foundation
import StampedeJSON

public enum ReportMergeError: Error, CustomStringConvertible, Equatable {
    case nothingToMerge
    case differentScenarios([String])

    public var description: String {
        switch self {
        case .nothingToMerge: return "no reports to merge"
        case .differentScenarios(let names):
            return "reports come from different scenarios (\(names.joined(separator: ", "))); merge shards of one run"
        }
    }
}

/// Adds shards of one run (several machines, or `--workers` processes) up to the
/// report a single generator would have written. Exact where the data allows:
/// histograms merge bucket by bucket, counters sum, per-second samples align on
/// wall-clock seconds. What cannot be exact is documented per field in docs/REPORTS.md.
public enum ReportMerger {
    public static func merge(_ reports: [RunReport]) throws -> RunReport {
        guard let first = reports.first else { throw ReportMergeError.nothingToMerge }
        let names = Array(Set(reports.map(\.scenarioName))).sorted()
        guard names.count == 1 else { throw ReportMergeError.differentScenarios(names) }
        if reports.count == 1 { return first }

        let start = reports.map(\.start).min()!
        let end = reports.map(\.end).max()!
        // Whole-second shift of each shard onto the merged clock.
        let offsets = reports.map { Int($0.start.timeIntervalSince(start).rounded()) }

        var metrics: [String: LatencyHistogram] = [:]
        for r in reports {
            for (name, m) in r.metrics { metrics[name, default: m.histogram.emptyCopy()].merge(m.histogram) }
        }
        let mergedMetrics = metrics.mapValues { MetricSummary(histogram: $0) }

        var merged = RunReport(
            scenarioName: first.scenarioName,
            scenario: first.scenario,
            environment: mergeEnvironments(reports.map(\.environment)),
            target: first.target,
            start: start, end: end,
            phases: mergePhases(reports.map(\.phases)),
            metrics: mergedMetrics,
            counters: reports.reduce(into: [:]) { acc, r in
                for (k, v) in r.counters { acc[k, default: 0] &+= v }
            },
            timeSeries: TimeSeriesMerger.merge(reports.map(\.timeSeries), offsets: offsets),
            checks: mergeChecks(reports.map(\.checks)),
            budgets: BudgetMerger.merge(reports.map(\.budgets), metrics: mergedMetrics,
                                        saturated: reports.contains { $0.generatorHealth.saturated }),
            statsSamples: TimeSeriesMerger.mergeStats(reports.map(\.statsSamples), offsets: offsets),
            generatorHealth: GeneratorHealth(
                loopLagP99Ms: reports.map(\.generatorHealth.loopLagP99Ms).max() ?? 0,
                cpuPercent: reports.map(\.generatorHealth.cpuPercent).reduce(0, +),
                saturated: reports.contains { $0.generatorHealth.saturated }),
            errorsByCode: reports.reduce(into: [:]) { acc, r in
                for (k, v) in r.errorsByCode { acc[k, default: 0] += v }
            },
            abortReason: reports.compactMap(\.abortReason).first)
        if reports.contains(where: { $0.verdict == .error }) {
            merged.verdict = .error
        } else if reports.contains(where: { $0.verdict == .interrupted }) {
            merged.verdict = .interrupted
        } else if reports.contains(where: { $0.verdict == .aborted }) {
            merged.verdict = .aborted
        }
        merged.refreshVerdict()
        return merged
    }

    static func mergeEnvironments(_ envs: [EnvironmentInfo]) -> EnvironmentInfo {
        var e = envs[0]
        var seenHosts: [String] = []
        var cores = 0
        for env in envs where !seenHosts.contains(env.host) {
            seenHosts.append(env.host)
            cores += env.cores
        }
        e.host = seenHosts.joined(separator: ",")
        e.cores = cores
        e.workers = envs.map(\.workers).reduce(0, +)
        e.gitCommit = envs.compactMap(\.gitCommit).first
        return e
    }

    static func mergePhases(_ lists: [[PhaseTiming]]) -> [PhaseTiming] {
        var out: [PhaseTiming] = []
        for list in lists {
            for p in list {
                if let i = out.firstIndex(where: { $0.name == p.name }) {
                    out[i].start = min(out[i].start, p.start)
                    out[i].end = max(out[i].end, p.end)
                } else {
                    out.append(p)
                }
            }
        }
        return out
    }

    /// A check passes only if it passed in every shard; evidence is kept per shard, capped.
    static func mergeChecks(_ lists: [[CheckResult]]) -> [CheckResult] {
        let maxEvidence = 20
        var order: [String] = []
        var parts: [String: [(shard: Int, check: CheckResult)]] = [:]
        for (shard, list) in lists.enumerated() {
            for c in list {
                if parts[c.name] == nil { order.append(c.name) }
                parts[c.name, default: []].append((shard, c))
            }
        }
        return order.map { name in
            let entries = parts[name]!
            if entries.count == 1 { return entries[0].check }
            var evidence: [String] = []
            for (shard, c) in entries {
                evidence += c.evidence.map { "[shard \(shard + 1)] \($0)" }
            }
            if evidence.count > maxEvidence {
                let dropped = evidence.count - maxEvidence
                evidence = Array(evidence.prefix(maxEvidence)) + ["… \(dropped) more lines in the shard reports"]
            }
            let details = JSONValue.object(["shards": .array(entries.map(\.check.details))])
            return CheckResult(name: name, passed: entries.allSatisfy(\.check.passed), evidence: evidence, details: details)
        }
    }
}

extension LatencyHistogram {
    /// An empty histogram with the same layout, so merges never change resolution.
    func emptyCopy() -> LatencyHistogram {
        LatencyHistogram(highestTrackableMicros: highestTrackableMicros, significantDigits: significantDigits)
    }
}
