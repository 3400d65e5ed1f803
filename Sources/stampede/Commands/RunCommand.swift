import ArgumentParser
import Foundation
import StampedeReports
import StampedeScenario
import StampedeServer
import StampedeTarget

/// `stampede run SCENARIO.yaml`: simulated clients against a server (the embedded one by default),
/// checks and budgets, a report folder. Exit 0 passed, 1 budget failed, 2 check failed, 3 could not start,
/// 4 interrupted by SIGINT/SIGTERM (reports written; a second signal aborts with 128 + signal).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a load/conformance scenario; exit 0 passed, 1 budget failed, 2 check failed, 3 could not start, 4 interrupted.")

    @Argument(help: "The scenario file (YAML, see scenarios/README.md).") var scenario: String
    @OptionGroup(title: "Target") var targetOptions: TargetOptions
    @Option(name: .customLong("set"), help: "Override a scenario variable: key=value (repeatable).") var sets: [String] = []
    @Option(name: .customLong("budget"), help: "Add or override a budget, e.g. 'event_delivery.p99<50ms' (repeatable).")
    var budgets: [String] = []
    @Option(help: "Report directory (report.json, report.html, junit.xml).") var out: String?
    @Option(help: "Event loop threads for the simulated clients (default: cores).") var threads: Int?
    @Option(name: .customLong("client-io"), help: "The simulated clients' socket I/O: auto (the reactor where the run is plain WebSocket to IP addresses, else nio), nio (a NIO channel per connection), reactor (one epoll loop per thread).")
    var clientIO = ClientIO.auto
    @Option(help: "Progress output: auto, tty, lines, json (one JSON object a second on stderr), quiet.") var progress = ProgressMode.auto
    @Option(name: .customLong("source-addresses"), help: "Spread clients over 127.0.0.1…127.0.0.N (for > 28k connections).")
    var sourceAddresses: Int = 0
    @Option(help: "Run the plan sharded over N child processes and merge their results exactly.") var workers: Int = 1
    @Option(name: .customLong("dashboard"), help: "Serve a live dashboard at http://127.0.0.1:PORT/ during the run (PORT defaults to 5665).")
    var dashboard: Int?
    @Option(name: .customLong("dashboard-linger"), help: "Seconds the dashboard stays up after the verdict.") var dashboardLinger: Double = 0
    @Option(help: "Run shard i/N of the plan (0-based; one per machine): arrivals striped over shards, workflow w published by shard w mod N.")
    var shard: String?
    @Option(help: "Run the execution segment a:b of the plan (e.g. 0:1/4 for a machine a quarter the size); fractions, decimals or %.")
    var segment: String?
    @Option(name: .customLong("segment-sequence"), help: "All machines' segment boundaries, e.g. 0,1/4,1 (give every machine the same one; default 0,a,b,1).")
    var segmentSequence: String?
    @Option(name: .customLong("workflow-ids"), help: "The prepared workflows: @DIR/workflows.json (from --prepare-only; baseline.json beside it is read too).")
    var workflowIDs: String?
    @Flag(name: .customLong("prepare-only"), help: "Create the scenario's workflows on --target once and write DIR/workflows.json and DIR/baseline.json (--out DIR), for shards.")
    var prepareOnly = false
    @Option(name: .customLong("start-at"), help: "Start the plan clock at this instant on every shard (RFC 3339 or unix seconds); a shard ready later exits 3.")
    var startAt: String?
    @Option(name: .customLong("start-tolerance"), help: "How late after --start-at a shard may still start, in seconds.")
    var startTolerance: Double = 1
    @Flag(name: .customLong("defer-verdict"), help: "Report, do not judge (exit 0 unless the run cannot start): `stampede report merge` gives the verdict.")
    var deferVerdict = false

    /// Usage errors (exit 64, with this usage) before anything is read or started.
    func validate() throws {
        try FlagChecks.range("--threads", threads, 1...1024)
        try FlagChecks.range("--workers", workers, 1...256)
        try FlagChecks.range("--source-addresses", sourceAddresses, 0...254)
    }

    func run() async throws {
        var overrides: [String: String] = [:]
        for s in sets {
            guard let eq = s.firstIndex(of: "=") else { throw ValidationError("--set expects key=value, got \(s)") }
            overrides[String(s[..<eq])] = String(s[s.index(after: eq)...])
        }
        var loaded: Scenario
        do {
            loaded = try ScenarioLoader.load(path: scenario, overrides: overrides, extraBudgets: budgets)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(3)
        }
        let nothingToJudge = shard == nil ? DefaultGates.nothingToJudgeWarning(loaded) : nil
        if let nothingToJudge { FileHandle.standardError.write(Data("\(nothingToJudge)\n".utf8)) }
        let executionSegment = try Self.segment(shard: shard, segment: segment, sequence: segmentSequence)
        if executionSegment.count > 1 && workflowIDs?.hasPrefix("@") != true {
            // A shard without a prepared run has no common stats baseline: the stats checks need
            // the whole picture (prepared shards keep them, and `report merge` judges them).
            loaded.checks.removeAll { $0.kind == .statsMatch || $0.kind == .statsReturnToBaseline }
        }
        let secret = targetOptions.secret
        if prepareOnly {
            try await prepare(loaded, secret: secret)
            return
        }
        let startInstant = try startAt.map { text in
            guard let d = StartGate.parse(text) else { throw ValidationError("--start-at expects RFC 3339 (2026-12-01T21:30:00Z) or unix seconds, got '\(text)'") }
            return d
        }
        let prepared: PreparedRun? = try workflowIDs.flatMap { ids in
            guard ids.hasPrefix("@") else { return nil }
            do { return try PreparedRun.load(String(ids.dropFirst())) } catch {
                FileHandle.standardError.write(Data("could not run: \(error)\n".utf8))
                throw ExitCode(3)
            }
        }
        if let prepared, prepared.scenarioName != loaded.name {
            FileHandle.standardError.write(Data("could not run: \(workflowIDs!) was prepared for scenario '\(prepared.scenarioName)', not '\(loaded.name)'\n".utf8))
            throw ExitCode(3)
        }
        let runTarget: RunTarget
        do { runTarget = try await RunTarget.start(targetOptions.urls, scenario: loaded, secret: secret) } catch {
            FileHandle.standardError.write(Data("could not start the embedded server: \(error)\n".utf8))
            throw ExitCode(3)
        }
        let server = runTarget.embedded
        if workers > 1 {
            if dashboard != nil { FileHandle.standardError.write(Data("note: --dashboard is not available with --workers\n".utf8)) }
            try await runWorkers(loaded, target: runTarget, secret: secret)
            return
        }
        var live: RunDashboard?
        if let port = dashboard {
            do { live = try await RunDashboard.start(port: port) } catch {
                try? await server?.shutdown()
                FileHandle.standardError.write(Data("could not start the dashboard on port \(port): \(error)\n".utf8))
                throw ExitCode(3)
            }
        }
        var options = runTarget.runOptions(secret: secret)
        let interruption = RunInterruption()
        let signalTrap = await SignalTrap.install(interruption)
        defer { signalTrap.cancel() }
        options.interruption = interruption
        options.segment = executionSegment
        if let prepared {
            options.workflowIDs = prepared.workflowIDs
            options.statsBaseline = prepared.baseline
            options.workflowsFile = String(workflowIDs!.dropFirst())
        } else if let ids = workflowIDs { options.workflowIDs = ids.isEmpty ? [] : ids.components(separatedBy: ",") }
        options.startAt = startInstant
        options.startToleranceSeconds = startTolerance
        options.deferVerdict = deferVerdict
        if let threads { options.eventLoopThreads = threads }
        options.clientIO = clientIO
        options.progress = progress
        if sourceAddresses > 1 { options.localAddresses = (1...sourceAddresses).map { "127.0.0.\($0)" } }
        options.onSecond = live?.observer
        let outcome = await ScenarioRunner.run(loaded, options: options)
        try? await server?.shutdown()
        let dir = out.map { URL(fileURLWithPath: $0) } ?? ReportWriter.defaultDirectory(scenarioName: loaded.name, date: outcome.report.start)
        // A report that cannot be written is a failed run, not a printed path.
        do { try ReportWriter.write(outcome.report, to: dir) } catch {
            print(ProgressPrinterText.summary(outcome.report, exitCode: outcome.exitCode), terminator: "")
            FileHandle.standardError.write(Data("could not write the report to \(dir.path): \(error.localizedDescription)\n".utf8))
            throw ExitCode(3)
        }
        if let why = outcome.report.abortReason, outcome.exitCode == 3 {
            FileHandle.standardError.write(Data("could not run: \(why)\n".utf8))
        }
        print(ProgressPrinterText.summary(outcome.report, exitCode: outcome.exitCode), terminator: "")
        if deferVerdict && outcome.exitCode != 3 {
            print("verdict deferred: merge every shard with `stampede report merge DIR… --expect-shards \(executionSegment.count) --out MERGED`")
        }
        if let nothingToJudge { print(nothingToJudge) }
        print("report: \(dir.path)/report.html")
        await live?.finish(outcome.report, reportHTML: dir.appendingPathComponent("report.html").path, linger: dashboardLinger)
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }

    /// The parent of `--workers N`: creates the workflows once, runs N shards, merges exactly.
    func runWorkers(_ loaded: Scenario, target: RunTarget, secret: String) async throws {
        let baseURL = target.baseURL, server = target.embedded
        // As machine shards do: prepare once, children defer, the merge judges (stats checks included).
        let dir = out.map { URL(fileURLWithPath: $0) } ?? ReportWriter.defaultDirectory(scenarioName: loaded.name, date: Date())
        let preparedDir = dir.appendingPathComponent("workers/prepared")
        do {
            try await ScenarioRunner.prepare(loaded, baseURL: baseURL, jwtSecret: secret).write(to: preparedDir)
        } catch {
            try? await server?.shutdown()
            FileHandle.standardError.write(Data("could not run: \(error)\n".utf8))
            throw ExitCode(3)
        }
        var args = ["run", scenario, "--target", target.baseURLs.joined(separator: ","), "--jwt-secret", secret, "--defer-verdict",
                    "--workflow-ids", "@" + preparedDir.appendingPathComponent(PreparedRun.workflowsFileName).path]
        for s in sets { args += ["--set", s] }
        for b in budgets { args += ["--budget", b] }
        if let threads { args += ["--threads", String(threads)] }
        args += ["--client-io", clientIO.rawValue]
        if sourceAddresses > 1 { args += ["--source-addresses", String(sourceAddresses)] }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        // Ctrl-C reaches the workers too (one process group): each drains and writes its report, merged below.
        let signalTrap = await SignalTrap.install(RunInterruption())
        defer { signalTrap.cancel() }
        let outcome: RunOutcome
        do {
            let shards = try await WorkerPool.run(executable: executable, arguments: args, workers: workers,
                                                  outDir: dir.appendingPathComponent("workers"))
            outcome = try WorkerPool.merge(shards, scenario: loaded)
        } catch {
            try? await server?.shutdown()
            FileHandle.standardError.write(Data("could not run: \(error)\n".utf8))
            throw ExitCode(3)
        }
        try? await server?.shutdown()
        try ReportWriter.write(outcome.report, to: dir)
        print(ProgressPrinterText.summary(outcome.report, exitCode: outcome.exitCode), terminator: "")
        print("report: \(dir.path)/report.html (merged from \(workers) workers)")
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }

    /// `--prepare-only --out DIR`: the workflows and stats baseline every shard starts from.
    func prepare(_ loaded: Scenario, secret: String) async throws {
        guard let out else { throw ValidationError("--prepare-only needs --out DIR (where workflows.json and baseline.json go)") }
        let baseURL: String
        if let external = RunTarget.external(targetOptions.urls, scenario: loaded) { baseURL = external[0] } else {
            FileHandle.standardError.write(Data("could not prepare: --prepare-only needs the shared server (--target URL or the scenario's target); an embedded server would end with this process\n".utf8))
            throw ExitCode(3)
        }
        do {
            let run = try await ScenarioRunner.prepare(loaded, baseURL: baseURL, jwtSecret: secret)
            try run.write(to: URL(fileURLWithPath: out))
            print("prepared \(run.workflowIDs.count) workflows on \(baseURL): \(out)/\(PreparedRun.workflowsFileName)"
                  + (run.baseline == nil ? " (the stats endpoint did not answer: no baseline)" : ", \(out)/\(PreparedRun.baselineFileName)"))
        } catch {
            FileHandle.standardError.write(Data("could not prepare: \(error)\n".utf8))
            throw ExitCode(3)
        }
    }

    /// `--shard i/N` or `--segment a:b [--segment-sequence …]` (not both); the whole plan without either.
    static func segment(shard: String?, segment: String?, sequence: String?) throws -> ExecutionSegment {
        do {
            if let shard {
                guard segment == nil else { throw ValidationError("give --shard i/N or --segment a:b, not both") }
                let parts = shard.split(separator: "/", omittingEmptySubsequences: false).map { Int($0) }
                guard parts.count == 2, let i = parts[0], let n = parts[1] else { throw ValidationError("--shard expects i/N (e.g. 0/3), got '\(shard)'") }
                return try ExecutionSegment.shard(i, of: n)
            }
            if let segment { return try ExecutionSegment.parse(segment: segment, sequence: sequence) }
            guard sequence == nil else { throw ValidationError("--segment-sequence needs --segment a:b") }
            return .whole
        } catch let e as ExecutionSegment.Failure {
            throw ValidationError(e.description)
        }
    }
}

/// `--progress json`: the modes by name; anything else is a usage error listing them.
extension ProgressMode: ExpressibleByArgument {}
extension ClientIO: ExpressibleByArgument {}
