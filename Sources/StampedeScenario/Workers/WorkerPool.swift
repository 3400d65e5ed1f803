import Foundation
import StampedeJSON
import StampedeReports

/// `--workers N`: the same plan sharded over N child processes (`stampede run --shard i/N`),
/// each with its own file-descriptor budget, merged exactly afterwards (histograms add bucket
/// by bucket — the same merge as `stampede report merge`).
public enum WorkerPool {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs the children and returns their reports (in shard order).
    /// `arguments` are the child's arguments minus `--shard`/`--out`, which are added here.
    public static func run(executable: String, arguments: [String], workers: Int, outDir: URL) async throws -> [RunReport] {
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        var processes: [(Process, URL)] = []
        for i in 0..<workers {
            let dir = outDir.appendingPathComponent("worker-\(i)")
            let p = Process()
            p.executableURL = URL(fileURLWithPath: executable)
            p.arguments = arguments + ["--shard", "\(i)/\(workers)", "--out", dir.path, "--progress", i == 0 ? "lines" : "quiet"]
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            processes.append((p, dir))
        }
        var reports: [RunReport] = []
        for (p, dir) in processes {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().async { p.waitUntilExit(); c.resume() }
            }
            if p.terminationStatus == 3 { throw Failure(description: "worker \(dir.lastPathComponent) could not start (exit 3)") }
            do { reports.append(try RunReport.load(from: dir.appendingPathComponent("report.json"))) } catch {
                throw Failure(description: "worker \(dir.lastPathComponent) wrote no readable report: \(error)")
            }
        }
        return reports
    }

    /// Merges shard reports and re-derives what a shard cannot judge alone: a check that no
    /// shard observed fails, and the exit code follows `stampede run` (2 check, 1 budget).
    public static func merge(_ shards: [RunReport], scenario: Scenario) throws -> RunOutcome {
        var merged = try ReportMerger.merge(shards)
        // Budgets again over the merged histograms and counters: exact, as one generator would see them.
        let inputs = BudgetEvaluator.Inputs(histograms: merged.metrics.mapValues(\.histogram), counters: merged.counters,
                                            errors: merged.totalErrors, seconds: scenario.totalDuration,
                                            saturated: merged.generatorHealth.saturated)
        merged.budgets = scenario.budgets.map { BudgetEvaluator.evaluate($0, inputs) }
        merged.checks = merged.checks.map { c in
            var c = c
            let observed = shards.reduce(Int64(0)) { acc, r in
                acc + (r.checks.first { $0.name == c.name }?.details["observations"]?.intValue ?? 1)
            }
            if observed == 0 {
                c.passed = false
                c.evidence.append("nothing was observed for this check in any worker")
            }
            return c
        }
        let code: Int32 = !merged.checks.allSatisfy(\.passed) ? 2 : (!merged.budgets.allSatisfy(\.passed) || merged.abortReason != nil ? 1 : 0)
        merged.refreshVerdict()
        merged.exitCode = code
        return RunOutcome(report: merged, exitCode: code)
    }
}
