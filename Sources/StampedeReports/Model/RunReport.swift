import Foundation
import StampedeJSON

/// Everything one `stampede run` produced: the document behind report.json,
/// report.html and junit.xml. docs/REPORTS.md and schemas/report.schema.json
/// describe it field by field; bump `currentSchemaVersion` on any change that
/// an older reader would misread.
public struct RunReport: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    /// The scenario's `name`, also the report folder's prefix.
    public var scenarioName: String
    /// The scenario after defaults and overrides were applied, as JSON.
    public var scenario: JSONValue
    public var environment: EnvironmentInfo
    public var target: TargetInfo
    public var start: Date
    public var end: Date
    public var phases: [PhaseTiming]
    /// Latency metrics by name ("connect", "event_delivery", …).
    public var metrics: [String: MetricSummary]
    /// Monotonic totals by name ("events_received", "messages_sent", …): merged by summing,
    /// compared as throughput (total / duration).
    public var counters: [String: UInt64]
    public var timeSeries: [SecondSample]
    public var checks: [CheckResult]
    public var budgets: [BudgetResult]
    public var statsSamples: [StatsSample]
    public var generatorHealth: GeneratorHealth
    public var errorsByCode: [String: Int]
    public var verdict: Verdict
    public var exitCode: Int32
    /// Why the run stopped early or failed to run, when it did.
    public var abortReason: String?
    /// Present when the run was one shard of a multi-machine run (`--shard`, `--segment`,
    /// `--start-at`, `--defer-verdict`); a merged report keeps every shard's, in segment order.
    public var shard: ShardInfo?
    public var shards: [ShardInfo]?

    public init(scenarioName: String, scenario: JSONValue = .object([:]), environment: EnvironmentInfo,
                target: TargetInfo, start: Date, end: Date, phases: [PhaseTiming] = [],
                metrics: [String: MetricSummary] = [:], counters: [String: UInt64] = [:],
                timeSeries: [SecondSample] = [], checks: [CheckResult] = [], budgets: [BudgetResult] = [],
                statsSamples: [StatsSample] = [], generatorHealth: GeneratorHealth = GeneratorHealth(),
                errorsByCode: [String: Int] = [:], verdict: Verdict? = nil, abortReason: String? = nil)
    {
        schemaVersion = Self.currentSchemaVersion
        self.scenarioName = scenarioName
        self.scenario = scenario
        self.environment = environment
        self.target = target
        self.start = start
        self.end = end
        self.phases = phases
        self.metrics = metrics
        self.counters = counters
        self.timeSeries = timeSeries
        self.checks = checks
        self.budgets = budgets
        self.statsSamples = statsSamples
        self.generatorHealth = generatorHealth
        self.errorsByCode = errorsByCode
        self.abortReason = abortReason
        let v = verdict ?? Self.derivedVerdict(checks: checks, budgets: budgets)
        self.verdict = v
        exitCode = Self.exitCode(for: v, checks: checks, budgets: budgets)
    }

    /// The `stampede run` exit codes: 0 passed, 1 a budget failed (or the run was
    /// aborted by one), 2 a check failed (correctness outranks speed), 3 the run
    /// could not start or proceed, 4 interrupted by a signal (reports written).
    public static func exitCode(for verdict: Verdict, checks: [CheckResult], budgets: [BudgetResult]) -> Int32 {
        if verdict == .error { return 3 }
        if verdict == .interrupted { return interruptedExitCode }
        if !checks.allSatisfy(\.passed) { return 2 }
        if verdict == .aborted || !budgets.allSatisfy(\.passed) { return 1 }
        return verdict == .passed ? 0 : 1
    }

    /// passed only when every check and every budget passed.
    public static func derivedVerdict(checks: [CheckResult], budgets: [BudgetResult]) -> Verdict {
        checks.allSatisfy(\.passed) && budgets.allSatisfy(\.passed) ? .passed : .failed
    }

    /// `stampede run` stopped by its first SIGINT/SIGTERM, every report written.
    public static let interruptedExitCode: Int32 = 4

    public var durationSeconds: Double { Swift.max(0, end.timeIntervalSince(start)) }
    public var totalErrors: Int { errorsByCode.values.reduce(0, +) }

    /// Re-derives verdict and exit code from checks and budgets, keeping an abort or error as is.
    public mutating func refreshVerdict() {
        if verdict != .aborted && verdict != .error && verdict != .interrupted {
            verdict = Self.derivedVerdict(checks: checks, budgets: budgets)
        }
        exitCode = Self.exitCode(for: verdict, checks: checks, budgets: budgets)
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case scenarioName = "scenario_name"
        case scenario, environment, target, start, end, phases, metrics, counters
        case timeSeries = "time_series"
        case checks, budgets
        case statsSamples = "stats_samples"
        case generatorHealth = "generator_health"
        case errorsByCode = "errors_by_code"
        case verdict
        case exitCode = "exit_code"
        case abortReason = "abort_reason"
        case shard, shards
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
        guard schemaVersion <= Self.currentSchemaVersion else {
            throw DecodingError.dataCorruptedError(forKey: .schemaVersion, in: c,
                debugDescription: "report schema_version \(schemaVersion) is newer than this stampede understands (\(Self.currentSchemaVersion))")
        }
        scenarioName = try c.decode(String.self, forKey: .scenarioName)
        scenario = try c.decodeIfPresent(CodableJSON.self, forKey: .scenario)?.value ?? .object([:])
        environment = try c.decode(EnvironmentInfo.self, forKey: .environment)
        target = try c.decode(TargetInfo.self, forKey: .target)
        start = try c.decode(Date.self, forKey: .start)
        end = try c.decode(Date.self, forKey: .end)
        phases = try c.decodeIfPresent([PhaseTiming].self, forKey: .phases) ?? []
        metrics = try c.decodeIfPresent([String: MetricSummary].self, forKey: .metrics) ?? [:]
        counters = try c.decodeIfPresent([String: UInt64].self, forKey: .counters) ?? [:]
        timeSeries = try c.decodeIfPresent([SecondSample].self, forKey: .timeSeries) ?? []
        checks = try c.decodeIfPresent([CheckResult].self, forKey: .checks) ?? []
        budgets = try c.decodeIfPresent([BudgetResult].self, forKey: .budgets) ?? []
        statsSamples = try c.decodeIfPresent([StatsSample].self, forKey: .statsSamples) ?? []
        generatorHealth = try c.decodeIfPresent(GeneratorHealth.self, forKey: .generatorHealth) ?? GeneratorHealth()
        errorsByCode = try c.decodeIfPresent([String: Int].self, forKey: .errorsByCode) ?? [:]
        verdict = try c.decode(Verdict.self, forKey: .verdict)
        exitCode = try c.decodeIfPresent(Int32.self, forKey: .exitCode)
            ?? Self.exitCode(for: verdict, checks: checks, budgets: budgets)
        abortReason = try c.decodeIfPresent(String.self, forKey: .abortReason)
        shard = try c.decodeIfPresent(ShardInfo.self, forKey: .shard)
        shards = try c.decodeIfPresent([ShardInfo].self, forKey: .shards)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(scenarioName, forKey: .scenarioName)
        try c.encode(CodableJSON(scenario), forKey: .scenario)
        try c.encode(environment, forKey: .environment)
        try c.encode(target, forKey: .target)
        try c.encode(start, forKey: .start)
        try c.encode(end, forKey: .end)
        try c.encode(phases, forKey: .phases)
        try c.encode(metrics, forKey: .metrics)
        try c.encode(counters, forKey: .counters)
        try c.encode(timeSeries, forKey: .timeSeries)
        try c.encode(checks, forKey: .checks)
        try c.encode(budgets, forKey: .budgets)
        try c.encode(statsSamples, forKey: .statsSamples)
        try c.encode(generatorHealth, forKey: .generatorHealth)
        try c.encode(errorsByCode, forKey: .errorsByCode)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(exitCode, forKey: .exitCode)
        try c.encodeIfPresent(abortReason, forKey: .abortReason)
        try c.encodeIfPresent(shard, forKey: .shard)
        try c.encodeIfPresent(shards, forKey: .shards)
    }
}
