import ArgumentParser
import Foundation
import StampedeReports
import StampedeScenario
import StampedeServer

/// `stampede run SCENARIO.yaml`: simulated clients against a server (the embedded one by default),
/// checks and budgets, a report folder. Exit 0 passed, 1 budget failed, 2 check failed, 3 could not start.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a load/conformance scenario; exit 0 passed, 1 budget failed, 2 check failed, 3 could not start.")

    @Argument(help: "The scenario file (YAML, see scenarios/README.md).") var scenario: String
    @Option(help: "Server base URL (http(s)://host:port); default: the scenario's target, else an embedded server.")
    var target: String?
    @Option(name: .customLong("jwt-secret"), help: "HS256 secret for minting tokens (default: $STAMPEDE_JWT_SECRET or dev-secret).")
    var jwtSecret: String?
    @Option(name: .customLong("set"), help: "Override a scenario variable: key=value (repeatable).") var sets: [String] = []
    @Option(name: .customLong("budget"), help: "Add or override a budget, e.g. 'event_delivery.p99<50ms' (repeatable).")
    var budgets: [String] = []
    @Option(help: "Report directory (report.json, report.html, junit.xml).") var out: String?
    @Option(help: "Event loop threads for the simulated clients (default: cores).") var threads: Int?
    @Option(help: "Progress output: auto, tty, lines, quiet.") var progress = "auto"
    @Option(name: .customLong("source-addresses"), help: "Spread clients over 127.0.0.1…127.0.0.N (for > 28k connections).")
    var sourceAddresses: Int = 0
    @Option(help: "Run the plan sharded over N child processes and merge their results exactly.") var workers: Int = 1
    @Option(help: "Run shard i/N of the plan (0-based; one per machine): arrivals striped over shards, workflow w published by shard w mod N.")
    var shard: String?
    @Option(help: "Run the execution segment a:b of the plan (e.g. 0:1/4 for a machine a quarter the size); fractions, decimals or %.")
    var segment: String?
    @Option(name: .customLong("segment-sequence"), help: "All machines' segment boundaries, e.g. 0,1/4,1 (give every machine the same one; default 0,a,b,1).")
    var segmentSequence: String?
    @Option(name: .customLong("workflow-ids"), help: ArgumentHelp("Internal: workflow ids created by the parent.", visibility: .hidden))
    var workflowIDs: String?

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
        let executionSegment = try Self.segment(shard: shard, segment: segment, sequence: segmentSequence)
        if workers > 1 || executionSegment.count > 1 {
            // One shard sees only part of the server's sockets: the stats checks need the whole picture.
            let dropped = loaded.checks.filter { $0.kind == .statsMatch || $0.kind == .statsReturnToBaseline }
            loaded.checks.removeAll { $0.kind == .statsMatch || $0.kind == .statsReturnToBaseline }
            if !dropped.isEmpty && executionSegment.count == 1 {
                FileHandle.standardError.write(Data("note: \(dropped.map(\.kind.rawValue).joined(separator: ", ")) not evaluated with --workers\n".utf8))
            }
        }
        let secret = jwtSecret ?? ProcessInfo.processInfo.environment["STAMPEDE_JWT_SECRET"] ?? "dev-secret"
        var server: EmbeddedServer?
        let baseURL: String
        if let target { baseURL = target }
        else if case .url(let u) = loaded.target { baseURL = u }
        else {
            do {
                let s = try await EmbeddedServer.start(Self.configuration(for: loaded, secret: loaded.auth.secret ?? secret))
                server = s
                baseURL = s.baseURL
            } catch {
                FileHandle.standardError.write(Data("could not start the embedded server: \(error)\n".utf8))
                throw ExitCode(3)
            }
        }
        if workers > 1 {
            try await runWorkers(loaded, baseURL: baseURL, secret: secret, server: server)
            return
        }
        var options = RunOptions(baseURL: baseURL, jwtSecret: secret, embedded: server != nil)
        options.segment = executionSegment
        if let ids = workflowIDs { options.workflowIDs = ids.isEmpty ? [] : ids.components(separatedBy: ",") }
        if let threads { options.eventLoopThreads = threads }
        options.progress = ProgressMode(rawValue: progress) ?? .auto
        if sourceAddresses > 1 { options.localAddresses = (1...sourceAddresses).map { "127.0.0.\($0)" } }
        let outcome = await ScenarioRunner.run(loaded, options: options)
        try? await server?.shutdown()
        let dir = URL(fileURLWithPath: out ?? "reports/\(loaded.name)-\(Int(Date().timeIntervalSince1970))")
        do { try ReportWriter.write(outcome.report, to: dir) } catch {
            FileHandle.standardError.write(Data("writing the report to \(dir.path) failed: \(error)\n".utf8))
        }
        if let why = outcome.report.abortReason, outcome.exitCode == 3 {
            FileHandle.standardError.write(Data("could not run: \(why)\n".utf8))
        }
        print(ProgressPrinterText.summary(outcome.report, exitCode: outcome.exitCode), terminator: "")
        print("report: \(dir.path)/report.html")
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }

    /// The parent of `--workers N`: creates the workflows once, runs N shards, merges exactly.
    func runWorkers(_ loaded: Scenario, baseURL: String, secret: String, server: EmbeddedServer?) async throws {
        let ids: [String]
        do { ids = try await ScenarioRunner.createWorkflows(loaded, baseURL: baseURL, jwtSecret: secret) } catch {
            try? await server?.shutdown()
            FileHandle.standardError.write(Data("could not run: \(error)\n".utf8))
            throw ExitCode(3)
        }
        var args = ["run", scenario, "--target", baseURL, "--jwt-secret", secret, "--workflow-ids", ids.joined(separator: ",")]
        for s in sets { args += ["--set", s] }
        for b in budgets { args += ["--budget", b] }
        if let threads { args += ["--threads", String(threads)] }
        if sourceAddresses > 1 { args += ["--source-addresses", String(sourceAddresses)] }
        let dir = URL(fileURLWithPath: out ?? "reports/\(loaded.name)-\(Int(Date().timeIntervalSince1970))")
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
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

    /// The scenario's `server:` block applied to the embedded server's configuration (port 0 = free port).
    static func configuration(for s: Scenario, secret: String) -> ServerConfiguration {
        let o = ServerOptions(s.server)
        var c = ServerConfiguration()
        c.port = 0
        c.jwtSecret = o.string("jwt_secret") ?? secret
        c.audience = o.string("audience") ?? s.auth.audience
        if let v = o.milliseconds("ping_interval") { c.pingIntervalMs = v }
        if let v = o.milliseconds("ping_timeout") { c.pingTimeoutMs = v }
        if let v = o.int("max_payload") { c.maxPayload = v }
        if let v = o.milliseconds("step_delay") { c.stepDelayMs = v }
        if let v = o.int("max_connections_per_user") { c.maxConnectionsPerUser = v }
        if let v = o.int("history_limit") { c.historyLimit = v }
        if let v = o.seconds("terminal_retention") { c.terminalRetentionSeconds = v }
        if let v = o.milliseconds("max_disconnection_duration") { c.maxDisconnectionDurationMs = v }
        if let v = o.double("rate_limit_events_per_second") { c.socketEventsPerSecond = v }
        if let v = o.double("rate_limit_burst") { c.socketEventBurst = v }
        if let v = o.double("workflow_create_rate") { c.workflowCreatesPerSecond = v }
        if let v = o.double("workflow_create_burst") { c.workflowCreateBurst = v }
        if let v = o.int("slow_consumer_bytes") { c.outboundQueueLimit = v }
        if let v = o.int("max_subscriptions") { c.maxSubscriptionsPerSocket = v }
        return c
    }
}
