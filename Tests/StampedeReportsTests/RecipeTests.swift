import Foundation
import StampedeBrowserSupport
import Testing
import Yams

/// deploy/kubernetes/ and deploy/github-actions/ are documentation that must run: the YAML
/// parses, the distributed shape holds (Indexed Job with JOB_COMPLETION_INDEX and backoffLimit 0;
/// prepare → shard matrix → merge → compare), shard counts agree, and every `stampede` flag
/// the recipes use exists in the built CLI.
@Suite(.serialized) final class RecipeTests {
    static let deploy = FixturePaths.repositoryRoot.appendingPathComponent("deploy")

    func documents(_ relative: String) throws -> [[String: Any]] {
        let text = try String(contentsOf: Self.deploy.appendingPathComponent(relative), encoding: .utf8)
        return try Yams.load_all(yaml: text).map { try #require($0 as? [String: Any], "\(relative): a document is not a mapping") }
    }

    func value(_ object: Any?, _ path: String) -> Any? {
        path.split(separator: ".").reduce(object) { current, key in
            if let i = Int(key), let list = current as? [Any] { return i < list.count ? list[i] : nil }
            return (current as? [String: Any])?[String(key)]
        }
    }

    /// The container's environment as name → value.
    func env(_ container: Any?) -> [String: String] {
        var out: [String: String] = [:]
        for e in (value(container, "env") as? [[String: Any]]) ?? [] {
            if let n = e["name"] as? String { out[n] = e["value"].map { "\($0)" } ?? "" }
        }
        return out
    }

    @Test func testKubernetesRecipeIsAnIndexedJobWithPrepareAndMergeSteps() throws {
        let prepare = try #require(documents("kubernetes/prepare-job.yaml").first)
        let shards = try #require(documents("kubernetes/shards-job.yaml").first)
        let merge = try #require(documents("kubernetes/merge-job.yaml").first)
        let storage = try documents("kubernetes/storage.yaml")
        #expect(storage.compactMap { $0["kind"] as? String } == ["PersistentVolumeClaim", "ConfigMap"])
        #expect(value(storage[0], "spec.accessModes.0") as? String == "ReadWriteMany")
        for job in [prepare, shards, merge] {
            #expect(job["kind"] as? String == "Job")
            #expect(value(job, "spec.backoffLimit") as? Int == 0, "a failed step must not be retried")
            #expect(value(job, "spec.template.spec.restartPolicy") as? String == "Never")
        }
        #expect(value(shards, "spec.completionMode") as? String == "Indexed")
        let container = value(shards, "spec.template.spec.containers.0")
        let count = try #require(Int(env(container)["SHARDS"] ?? ""))
        #expect(value(shards, "spec.completions") as? Int == count)
        #expect(value(shards, "spec.parallelism") as? Int == count)
        #expect(Int(env(value(merge, "spec.template.spec.containers.0"))["SHARDS"] ?? "") == count)
        #expect(value(shards, "spec.template.spec.affinity.podAntiAffinity") != nil, "one shard per node")
        let shardCommand = commands(ofJob: shards).joined(separator: " ")
        #expect(shardCommand.contains("--shard \"$JOB_COMPLETION_INDEX/$SHARDS\""), "\(shardCommand)")
        #expect(shardCommand.contains("--start-at") && shardCommand.contains("--defer-verdict"), "\(shardCommand)")
        #expect(commands(ofJob: prepare).joined().contains("--prepare-only"))
        #expect(commands(ofJob: merge).joined().contains("--expect-shards \"$SHARDS\""))
        try assertFlagsExist(in: [prepare, shards, merge].flatMap(commands(ofJob:)), source: "deploy/kubernetes")
    }

    @Test func testGitHubActionsRecipeIsPrepareShardMatrixMergeCompare() throws {
        let workflow = try #require(documents("github-actions/distributed-load.yml").first)
        let jobs = try #require(workflow["jobs"] as? [String: Any])
        #expect(Set(jobs.keys) == ["build", "prepare", "shard", "merge"])
        func needs(_ job: String) -> [String] {
            let n = value(jobs[job], "needs")
            return (n as? [String]) ?? (n as? String).map { [$0] } ?? []
        }
        #expect(needs("prepare") == ["build"])
        #expect(needs("shard") == ["prepare"])
        #expect(needs("merge") == ["shard"])
        let count = try #require(Int(value(workflow, "env.SHARDS") as? String ?? ""))
        #expect(value(jobs["shard"], "strategy.matrix.shard") as? [Int] == Array(0..<count))
        #expect(value(jobs["shard"], "strategy.fail-fast") as? Bool == false)
        let runs = ["prepare", "shard", "merge"].map { job in
            ((value(jobs[job], "steps") as? [[String: Any]]) ?? []).compactMap { $0["run"] as? String }.joined(separator: "\n")
        }
        #expect(runs[0].contains("--prepare-only"))
        #expect(runs[1].contains("--workflow-ids @prepared/workflows.json") && runs[1].contains("--start-at"))
        #expect(runs[2].contains("report merge") && runs[2].contains("--expect-shards \"$SHARDS\""))
        #expect(runs[2].contains("stampede compare"))
        try assertFlagsExist(in: runs, source: "deploy/github-actions")
    }

    /// The shell text each container of a Job runs.
    func commands(ofJob job: [String: Any]) -> [String] {
        ((value(job, "spec.template.spec.containers") as? [[String: Any]]) ?? []).flatMap { c in
            ((c["command"] as? [String]) ?? []) + ((c["args"] as? [String]) ?? [])
        }
    }

    static let subcommands: Set<String> = ["run", "report", "compare", "serve", "conformance"]

    /// Every `stampede SUB [SUB2] … --flag` in `scripts` must be listed by `stampede SUB [SUB2] --help`.
    func assertFlagsExist(in scripts: [String], source: String) throws {
        guard let binary = ["debug", "release"].map({ FixturePaths.repositoryRoot.appendingPathComponent(".build/\($0)/stampede") })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            try Test.cancel("the stampede executable is not built")
        }
        var checked = 0
        for script in scripts {
            let joined = script.replacingOccurrences(of: "\\\n", with: " ")
            for line in joined.split(whereSeparator: { $0 == "\n" || $0 == "&" || $0 == "|" || $0 == ";" }) {
                let words = line.split(separator: " ").map(String.init)
                // An invocation, not a mention (`chmod +x bin/stampede`).
                guard let at = words.firstIndex(where: { $0 == "stampede" || $0.hasSuffix("/stampede") }),
                      at + 1 < words.count, Self.subcommands.contains(words[at + 1]) else { continue }
                var sub = [words[at + 1]]
                if sub == ["report"], at + 2 < words.count { sub.append(words[at + 2]) }
                let help = try run(binary, sub + ["--help"])
                for flag in words[at...] where flag.hasPrefix("--") {
                    let name = String(flag.prefix { $0 != "=" })
                    #expect(help.contains(name + " ") || help.contains(name + "\n"), "\(source): `stampede \(sub.joined(separator: " "))` has no \(name)")
                    checked += 1
                }
            }
        }
        #expect(checked > 5, "\(source): no stampede flags found to check")
    }

    func run(_ binary: URL, _ arguments: [String]) throws -> String { try BuiltCLI.run(binary, arguments).output }
}
