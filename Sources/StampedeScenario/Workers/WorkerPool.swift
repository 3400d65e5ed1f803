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

    /// Merges the children's reports exactly as `stampede report merge --expect-shards N` does:
    /// every budget on the merged data, every check over all shards, stats on the merged series.
    public static func merge(_ shards: [RunReport], scenario: Scenario) throws -> RunOutcome {
        try ShardMerge.merge(shards, expectShards: shards.count, labels: shards.indices.map { "worker-\($0)" })
    }
}
