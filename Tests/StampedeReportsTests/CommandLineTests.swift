import Foundation
import StampedeBrowserSupport
import Testing
@testable import StampedeReports

/// Runs the built `stampede` binary (present after `swift build --build-tests`) on
/// real files: the exit codes CI gates on are the contract. Skips when not built.
@Suite(.serialized) final class CommandLineTests: MakesTemporaryDirectories {
    let temporaryDirectories = TemporaryDirectories()
    func binary() throws -> URL { try BuiltCLI.binary() }

    func run(_ arguments: [String]) throws -> (status: Int32, output: String) { try BuiltCLI.stampede(arguments) }

    func write(_ report: RunReport, _ name: String, in dir: URL) throws -> String {
        let url = dir.appendingPathComponent(name)
        try report.jsonData().write(to: url)
        return url.path
    }

    @Test func testCompareExitsOneOnlyBeyondTolerance() throws {
        _ = try binary()
        let dir = try temporaryDirectory()
        let baseline = SyntheticRun(seconds: 10, perSecondPerMetric: 500, shards: 1, keepSecondHistograms: false).report(shards: [0])
        var slower = baseline
        slower.metrics = baseline.metrics.mapValues { m in
            var h = LatencyHistogram()
            for b in m.histogram.buckets() { h.record(b.value * 13 / 10, count: b.count) }
            return MetricSummary(histogram: h)
        }
        let b = try write(baseline, "baseline.json", in: dir), c = try write(slower, "current.json", in: dir)

        let same = try run(["compare", b, b])
        #expect(same.status == 0, "\(same.output)")
        #expect(same.output.contains("no regressions"), "\(same.output)")

        let regressed = try run(["compare", b, c])
        #expect(regressed.status == 1, "\(regressed.output)")
        #expect(regressed.output.contains("REGRESSED"), "\(regressed.output)")

        let tolerated = try run(["compare", b, c, "--tolerance", "40%"])
        #expect(tolerated.status == 0, "\(tolerated.output)")

        let perMetric = try run(["compare", b, c, "--tolerance", "40%", "--metric-tolerance", "event_delivery.p90=5%", "--min-delta-ms", "0"])
        #expect(perMetric.status == 1, "\(perMetric.output)")
    }

    @Test func testMergeAndHTMLCommands() throws {
        _ = try binary()
        let dir = try temporaryDirectory()
        let run = SyntheticRun(seconds: 8, shards: 2)
        let a = try write(run.report(shards: [0]), "a.json", in: dir)
        let b = try write(run.report(shards: [1]), "b.json", in: dir)
        let out = dir.appendingPathComponent("merged/report.json")

        let merge = try self.run(["report", "merge", a, b, "-o", out.path, "--all"])
        #expect(merge.status == 0, "\(merge.output)")
        #expect(try RunReport.load(from: out).metrics == run.report(shards: [0, 1]).metrics)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("merged/report.html").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("merged/junit.xml").path))

        let html = try self.run(["report", "html", a, "-o", dir.appendingPathComponent("a.html").path])
        #expect(html.status == 0, "\(html.output)")
        let page = try String(contentsOf: dir.appendingPathComponent("a.html"), encoding: .utf8)
        #expect(page.contains("data-chart=\"percentile-distribution\""))

        let broken = try self.run(["report", "html", dir.appendingPathComponent("missing.json").path])
        #expect(broken.status != 0)
    }

    @Test func testMergeOfShardDirectoriesRefusesIncompleteSetsAndExitsWithTheVerdict() throws {
        _ = try binary()
        let dir = try temporaryDirectory()
        let run = SyntheticRun(seconds: 8, shards: 2)
        var paths: [String] = []
        for i in 0..<2 {
            var r = run.report(shards: [i])
            r.shard = ShardInfo(index: i, count: 2, segment: i == 0 ? "0:1/2" : "1/2:1", sequence: "0,1/2,1", deferredVerdict: true, host: "h\(i)")
            let shardDir = dir.appendingPathComponent("shard-\(i)")
            try FileManager.default.createDirectory(at: shardDir, withIntermediateDirectories: true)
            _ = try write(r, "report.json", in: shardDir)
            paths.append(shardDir.path)
        }
        let merged = dir.appendingPathComponent("merged")
        let ok = try self.run(["report", "merge"] + paths + ["--expect-shards", "2", "--out", merged.path])
        let whole = run.report(shards: [0, 1])
        #expect(ok.status == whole.exitCode, "\(ok.output)")
        #expect(try RunReport.load(from: merged.appendingPathComponent("report.json")).metrics == whole.metrics)
        #expect(FileManager.default.fileExists(atPath: merged.appendingPathComponent("report.html").path))

        let missing = try self.run(["report", "merge", paths[0], "--expect-shards", "2", "--out", merged.path])
        #expect(missing.status == 64, "\(missing.output)")   // one report: a usage error
        let missingOfThree = try self.run(["report", "merge", paths[0], paths[1], "--expect-shards", "3", "--out", merged.path])
        #expect(missingOfThree.status == 3, "\(missingOfThree.output)")
        #expect(missingOfThree.output.contains("--expect-shards 3"), "\(missingOfThree.output)")
        let duplicate = try self.run(["report", "merge", paths[0], paths[0], "--expect-shards", "2", "--out", merged.path])
        #expect(duplicate.status == 3, "\(duplicate.output)")
        #expect(duplicate.output.contains("appears twice"), "\(duplicate.output)")
    }
}
