import ArgumentParser
import Foundation
import StampedeReports

/// `stampede compare BASELINE.json CURRENT.json`: exits 1 when anything regressed beyond tolerance.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare a run report against a baseline; exit 1 on a significant regression beyond tolerance.",
        discussion: """
        A row regresses only when it moved beyond its tolerance AND by more than --min-delta-ms (latency) \
        AND both runs have --min-samples observations (latency) or --min-count counts (counters) AND the \
        change is significant: percentiles by non-overlapping order-statistic confidence intervals of the \
        whole-run histograms, means by Welch's z, counters by a Poisson z (--z standard errors). max is shown, never judged.
        """)

    @Argument(help: ArgumentHelp("One or more baseline report.json files, then the current one. With several baselines their spread is the noise band: a row regresses only when it regresses against every one.",
                                 valueName: "baseline.json … current.json"))
    var reports: [String] = []
    @Option(help: "Allowed relative change before a row regresses, e.g. 10%.") var tolerance = "10%"
    @Option(name: .customLong("metric-tolerance"), help: "Per-metric tolerance, e.g. event_delivery.p99=20% (repeatable).")
    var metricTolerances: [String] = []
    @Option(name: .customLong("min-delta-ms"), help: "Ignore latency differences smaller than this many ms.")
    var minDeltaMs: Double = CompareOptions.defaultMinimumDeltaMs
    @Option(name: .customLong("min-samples"), help: "Judge a latency metric only with at least this many observations on both sides.")
    var minSamples: Int = Int(CompareOptions.defaultMinimumSamples)
    @Option(name: .customLong("min-count"), help: "Judge a counter only when at least this many were counted on one side.")
    var minCount: Int = Int(CompareOptions.defaultMinimumCount)
    @Option(help: "Standard errors a change must exceed to count as more than sampling noise (0 disables the test).")
    var z: Double = 3
    @Flag(help: "Print every row, not only what moved.") var all = false
    @Option(help: "Table format: text or markdown.") var format = ComparisonTable.Format.text

    func validate() throws {
        guard reports.count >= 2 else { throw ValidationError("give a baseline report.json (or several) and the current one") }
        guard minDeltaMs >= 0, minDeltaMs.isFinite else { throw ValidationError("--min-delta-ms must be ≥ 0, got \(minDeltaMs)") }
        guard minSamples >= 0 else { throw ValidationError("--min-samples must be ≥ 0, got \(minSamples)") }
        guard minCount >= 0 else { throw ValidationError("--min-count must be ≥ 0, got \(minCount)") }
        guard z >= 0, z.isFinite else { throw ValidationError("--z must be ≥ 0, got \(z)") }
    }

    func run() throws {
        guard let tol = CompareOptions.parsePercent(tolerance) else {
            throw ValidationError("--tolerance: expected a percentage such as 10%, got \(tolerance)")
        }
        var perMetric: [String: Double] = [:]
        for text in metricTolerances {
            guard let (key, value) = CompareOptions.parseMetricTolerance(text) else {
                throw ValidationError("--metric-tolerance: expected METRIC[.STAT]=PERCENT, got \(text)")
            }
            perMetric[key] = value
        }
        let b = try reports.dropLast().map { try ReportFiles.load(URL(fileURLWithPath: $0)) }
        let c = try ReportFiles.load(URL(fileURLWithPath: reports.last!))
        let options = CompareOptions(tolerance: tol, metricTolerances: perMetric, minimumDeltaMs: minDeltaMs,
                                     minimumSamples: UInt64(minSamples), minimumCount: UInt64(minCount), z: z)
        let result = ReportComparator.compare(baselines: b, current: c, options: options)
        print(ComparisonTable.render(result, format: format, showAll: all), terminator: "")
        if result.exitCode != 0 { throw ExitCode(result.exitCode) }
    }
}

/// `--format markdown`: the table formats by name.
extension ComparisonTable.Format: ExpressibleByArgument {}
