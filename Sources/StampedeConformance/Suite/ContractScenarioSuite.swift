import Foundation
import StampedeReports
import StampedeScenario

/// The contract half of `stampede conformance`: each `*.yaml` in the
/// conformance folder is a scenario run by the same engine as `stampede
/// run`, against the target; each of its checks becomes one result line.
/// Files named `*.should.yaml` hold SHOULD features (a failure warns).
public enum ContractScenarioSuite {
    public static func files(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { directory + "/" + $0 }
    }

    public static func run(file: String, baseURL: String, jwtSecret: String,
                           overrides: [String: String] = [:]) async -> [ConformanceResult] {
        let base = URL(fileURLWithPath: file).lastPathComponent
        let should = base.contains(".should.")
        let stem = base.split(separator: ".").first.map(String.init) ?? base
        let level: ConformanceCheck.Level = should ? .should : .must
        let scenario: Scenario
        do {
            scenario = try ScenarioLoader.load(path: file, overrides: overrides)
        } catch {
            return [ConformanceResult(name: "contract.\(stem)", level: .must, outcome: .fail("scenario file: \(error)"))]
        }
        var options = RunOptions(baseURL: baseURL, jwtSecret: jwtSecret, embedded: false)
        options.progress = .quiet
        let outcome = await ScenarioRunner.run(scenario, options: options)
        if outcome.exitCode == 3 {
            let why = outcome.report.abortReason ?? "the run could not start"
            return [ConformanceResult(name: "contract.\(stem)", level: level, outcome: level == .must ? .fail(why) : .warn(why))]
        }
        return outcome.report.checks.map { check in
            let name = "contract.\(stem).\(check.name)"
            if check.passed { return ConformanceResult(name: name, level: level, outcome: .pass) }
            let evidence = check.evidence.prefix(3).joined(separator: "; ")
            let text = evidence.isEmpty ? "failed" : evidence
            return ConformanceResult(name: name, level: level, outcome: level == .must ? .fail(text) : .warn(text))
        }
    }
}
