import Foundation
import StampedeJSON
import StampedeReports

/// `stampede report merge DIR… --expect-shards N`: one verdict for a run spread over machines.
/// The shard set must be complete (every segment of one sequence exactly once); histograms and
/// counters merge exactly (`ReportMerger`); then every budget is evaluated on the merged data
/// and every check over all shards — stats checks on the merged per-second series, as the
/// single process would have judged them. Exit codes as `stampede run`'s.
public enum ShardMerge {
    public struct Failure: Error, CustomStringConvertible { public var description: String }

    public static func merge(_ reports: [RunReport], expectShards: Int?, labels: [String]? = nil) throws -> RunOutcome {
        let labels = labels ?? reports.indices.map { "report \($0 + 1)" }
        let ordered = try validate(reports, expectShards: expectShards, labels: labels)
        var merged = try ReportMerger.merge(ordered)
        let scenario = try? ScenarioLoader.parse(String(decoding: ordered[0].scenario.serialized.utf8, as: UTF8.self), file: "report.json scenario")

        // Budgets: every expression any shard evaluated, re-evaluated on the merged aggregates.
        var expressions: [String] = []
        for r in ordered { for b in r.budgets where !expressions.contains(b.expression) { expressions.append(b.expression) } }
        let seconds = scenario?.totalDuration ?? ordered.map(\.durationSeconds).max() ?? merged.durationSeconds
        let inputs = BudgetEvaluator.Inputs(histograms: merged.metrics.mapValues(\.histogram), counters: merged.counters,
                                            errors: merged.totalErrors, seconds: seconds, saturated: merged.generatorHealth.saturated)
        merged.budgets = expressions.map { text in
            // The default error-rate ceiling carries a note after its expression (DefaultGates).
            let parsable = text.replacingOccurrences(of: Scenario.defaultCeilingNote, with: "")
            guard var budget = try? BudgetParser.parse(expression: parsable) else {
                return merged.budgets.first { $0.expression == text }!
            }
            budget.expression = text
            return BudgetEvaluator.evaluate(budget, inputs)
        }

        // Checks: failed anywhere fails; observed nowhere fails; stats on the merged series.
        let stats = ShardStats.merge(ordered)
        merged.statsSamples = stats
        merged.checks = merged.checks.map { c in
            var c = c
            if c.name == CheckKind.statsMatch.rawValue {
                guard let spec = scenario?.checks.first(where: { $0.kind == .statsMatch }) else {
                    return CheckResult(name: c.name, passed: false,
                                       evidence: ["the shards' scenario could not be read back from report.json, so stats_match has no settle/tolerance to judge by"])
                }
                return StatsChecks.match(stats, spec: spec)
            }
            if c.name == CheckKind.statsReturnToBaseline.rawValue {
                return ShardStats.returnToBaseline(ordered)
            }
            let observed = ordered.reduce(Int64(0)) { acc, r in
                acc + (r.checks.first { $0.name == c.name }?.details["observations"]?.intValue ?? 1)
            }
            if observed == 0 {
                c.passed = false
                c.evidence.append("nothing was observed for this check in any shard")
            }
            return c
        }
        merged.shards = ordered.compactMap(\.shard)
        merged.shard = nil
        merged.environment.workers = ordered.count
        merged.refreshVerdict()
        if ordered.contains(where: { $0.verdict == .error || $0.exitCode == 3 }) {
            merged.verdict = .error
            merged.abortReason = merged.abortReason ?? ordered.compactMap(\.abortReason).first
            merged.exitCode = 3
        }
        return RunOutcome(report: merged, exitCode: merged.exitCode)
    }

    /// Shard reports in segment order, or why the set is not one complete run.
    static func validate(_ reports: [RunReport], expectShards: Int?, labels: [String]) throws -> [RunReport] {
        guard !reports.isEmpty else { throw Failure(description: "no reports to merge") }
        let infos = reports.map(\.shard)
        if infos.allSatisfy({ $0 == nil }) {
            if let n = expectShards {
                throw Failure(description: "--expect-shards \(n): none of the reports comes from a sharded run (stampede run --shard i/N)")
            }
            return reports
        }
        if let i = infos.firstIndex(where: { $0 == nil }) {
            throw Failure(description: "\(labels[i]) is not a shard's report (no shard section); merge the reports of one sharded run")
        }
        let sequences = Set(infos.map { $0!.sequence })
        guard sequences.count == 1, let sequence = sequences.first else {
            throw Failure(description: "the shards were cut from different segment sequences (\(sequences.sorted().joined(separator: " vs "))); merge one run's shards")
        }
        let count = infos[0]!.count
        if let n = expectShards, n != count {
            throw Failure(description: "--expect-shards \(n), but the shards were run as \(count) segments (\(sequence))")
        }
        var byIndex: [Int: Int] = [:]
        for (k, info) in infos.enumerated() {
            if let first = byIndex[info!.index] {
                throw Failure(description: "shard \(info!.index) (\(info!.segment)) appears twice: \(labels[first]) (host \(infos[first]!.host)) and \(labels[k]) (host \(info!.host))")
            }
            byIndex[info!.index] = k
        }
        let missing = (0..<count).filter { byIndex[$0] == nil }
        if !missing.isEmpty {
            let fractions = sequence.split(separator: ",")
            let names = missing.map { "\($0) (\(fractions[$0]):\(fractions[$0 + 1]))" }
            throw Failure(description: "missing shard\(missing.count > 1 ? "s" : "") \(names.joined(separator: ", ")) of \(count): a merge of part of a run is not its verdict")
        }
        return (0..<count).map { reports[byIndex[$0]!] }
    }
}
