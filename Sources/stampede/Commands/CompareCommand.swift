import ArgumentParser
import Foundation
import StampedeReports

/// `stampede compare BASELINE.json CURRENT.json`: exits 1 when anything regressed beyond tolerance.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare a run report against a baseline; exit 1 on a regression beyond tolerance.")

    @Argument(help: "The baseline report.json.") var baseline: String
    @Argument(help: "The current report.json.") var current: String
    @Option(help: "Allowed relative change before a row regresses, e.g. 10%.") var tolerance = "10%"
    @Option(name: .customLong("metric-tolerance"), help: "Per-metric tolerance, e.g. event_delivery.p99=20% (repeatable).")
    var metricTolerances: [String] = []
    @Option(name: .customLong("min-delta-ms"), help: "Ignore latency differences smaller than this many ms.")
    var minDeltaMs: Double = 0
    @Option(help: "Table format: text or markdown.") var format = "text"

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
        guard let tableFormat = ComparisonTable.Format(rawValue: format) else {
            throw ValidationError("--format: expected text or markdown")
        }
        let b = try ReportFiles.load(URL(fileURLWithPath: baseline))
        let c = try ReportFiles.load(URL(fileURLWithPath: current))
        let result = ReportComparator.compare(baseline: b, current: c,
                                              options: CompareOptions(tolerance: tol, metricTolerances: perMetric, minimumDeltaMs: minDeltaMs))
        print(ComparisonTable.render(result, format: tableFormat), terminator: "")
        if result.exitCode != 0 { throw ExitCode(result.exitCode) }
    }
}
