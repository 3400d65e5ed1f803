import Foundation
import NIOCore
import NIOPosix
import StampedeClient
import StampedeJSON
import StampedeReports

/// Runs one scenario against a base URL. Shutdown order (tested): stop dispatch → let
/// deliveries drain → stop clients → final sample → stats baseline → budgets → report → exit code.
public enum ScenarioRunner {
    public static func run(_ scenario: Scenario, options: RunOptions) async -> RunOutcome {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, options.eventLoopThreads))
        let outcome = await run(scenario, options: options, group: group)
        try? await group.shutdownGracefully()
        return outcome
    }

    static func run(_ scenario: Scenario, options: RunOptions, group: MultiThreadedEventLoopGroup) async -> RunOutcome {
        let started = Date()
        let target = TargetInfo(url: ([options.baseURL] + options.additionalBaseURLs).joined(separator: ","), embedded: options.embedded)
        let segment = options.executionSegment
        var shardInfo = ShardRecord.info(options, segment: segment)
        func cannotStart(_ why: String) -> RunOutcome {
            var r = RunReport(scenarioName: scenario.name, scenario: scenario.resolved,
                              environment: .current(stampedeVersion: StampedeVersion.number), target: target, start: started, end: Date(),
                              verdict: .error, abortReason: why)
            r.exitCode = 3
            r.shard = shardInfo
            return RunOutcome(report: r, exitCode: 3)
        }
        let endpoint: ServerEndpoint
        do { endpoint = try ServerEndpoint(url: options.baseURL) } catch { return cannotStart("bad target URL: \(error)") }
        let http = HTTPClient(endpoint: endpoint, eventLoopGroup: group, timeout: .seconds(10), maxIdleConnections: 64)
        defer { http.shutdown() }
        var nodes = [EngineContext.Node(endpoint: endpoint, http: http)]
        defer { for n in nodes.dropFirst() { n.http.shutdown() } }
        for url in options.additionalBaseURLs {
            do {
                let e = try ServerEndpoint(url: url)
                nodes.append(EngineContext.Node(endpoint: e, http: HTTPClient(endpoint: e, eventLoopGroup: group, timeout: .seconds(10), maxIdleConnections: 64)))
            } catch { return cannotStart("bad target URL \(url): \(error)") }
        }
        let tokens: TokenBook
        do { tokens = try TokenBook(auth: scenario.auth, secret: scenario.auth.secret ?? options.jwtSecret) } catch {
            return cannotStart("minting tokens: \(error)")
        }
        // Reachability first: an unreachable target, or one that is no Socket.IO server, is exit 3,
        // not a pile of connect errors.
        for (node, url) in zip(nodes, [options.baseURL] + options.additionalBaseURLs) {
            if let problem = await TargetProbe.probe(node.http).problem { return cannotStart("target \(url) is \(problem)") }
        }
        let workflowIDs: [String]
        if let given = options.workflowIDs { workflowIDs = given }
        else if segment.count > 1 && scenario.workflows.count > 0 {
            // Shards making their own workflows would each publish to, and subscribe to, different ones.
            return cannotStart("shard \(segment.index)/\(segment.count) needs the scenario's \(scenario.workflows.count) workflows prepared once for all shards: "
                               + "run `stampede run SCENARIO --prepare-only --out DIR --target URL` first, then give every shard `--workflow-ids @DIR/workflows.json`")
        } else {
            do { workflowIDs = try await WorkflowSetup.create(scenario, http: http, tokens: tokens) } catch {
                return cannotStart("\(error)")
            }
        }
        guard workflowIDs.count == scenario.workflows.count else {
            return cannotStart("--workflow-ids holds \(workflowIDs.count) workflow ids; the scenario (as resolved) has \(scenario.workflows.count)")
        }
        let sampler = StatsSampler(http: http, adminToken: tokens.admin)
        let wantsStats = scenario.checks.contains { $0.kind == .statsMatch || $0.kind == .statsReturnToBaseline }
        var baseline: StatsSampler.Observed?
        if wantsStats {
            if let given = options.statsBaseline { baseline = StatsSampler.Observed(given) } else { baseline = await sampler.fetch() }
        }
        shardInfo?.statsBaseline = baseline?.counts
        // A sharded run's stats checks need every shard's clients: the merge judges them.
        let judgesStats = segment.count == 1

        let clientLoops: ClientLoops
        switch ClientLoops.make(options.clientIO, count: max(1, options.eventLoopThreads), scenario: scenario,
                                endpoints: nodes.map(\.endpoint), group: group) {
        case .failure(let e): return cannotStart(e.description)
        case .success(let l): clientLoops = l
        }
        defer { clientLoops.stop() }
        let loops = clientLoops.loops
        var shards: [NIOLoopBound<LoopShard>] = []
        for loop in loops { shards.append(try! await loop.submit { NIOLoopBound(LoopShard(), eventLoop: loop) }.get()) }
        let ledger = CheckLedger()
        let plan = LoadPlan(phases: scenario.phases, segment: segment)
        if let at = options.startAt {
            switch await StartGate.wait(until: at, tolerance: options.startToleranceSeconds) {
            case .late(let seconds):
                return cannotStart("late start: --start-at \(ReportCoding.formatTimestamp(at)) passed \(String(format: "%.3f", seconds))s ago "
                                   + "before this shard was ready (allowed \(options.startToleranceSeconds)s); give every shard a later --start-at")
            case .started(let lag): shardInfo?.startLagMs = lag * 1000
            }
        }
        let runStart = Date()
        let ctx = EngineContext(scenario: scenario, plan: plan, nodes: nodes, tokens: tokens,
                                workflowIDs: workflowIDs, ledger: ledger, startMicros: EngineClock.monotonicMicros(),
                                localAddresses: options.localAddresses)
        let dispatcher = Dispatcher(ctx: ctx, loops: loops, shards: shards, poolOfGroup: clientLoops.poolOfGroup)
        let health0 = HealthMonitor()
        let progress = ProgressPrinter(options.progress)

        // Background publishers: one per spec, on the NIO loop their HTTP connections live on;
        // each shard publishes to the workflows its segment owns (w mod N for --shard i/N).
        var publishers: [NIOLoopBound<BackgroundPublisher>] = []
        do {
            for spec in scenario.publishers {
                let loop = loops[clientLoops.publisherLoop]
                let shardBox = shards[clientLoops.publisherLoop]
                let p = try! await loop.submit {
                    let bp = BackgroundPublisher(spec: spec, ctx: ctx, loop: loop, recorder: shardBox.value.recorder)
                    bp.start()
                    return NIOLoopBound(bp, eventLoop: loop)
                }.get()
                publishers.append(p)
            }
        }

        let dispatch = Task { await dispatcher.run() }
        var agg = RunAggregate()
        var statsSamples: [StatsSample] = []
        var lastSampled: RunAggregate.ExpectedStats?
        var abortReason: String?
        var interruptedReason: String?
        var printedViolations: [CheckKind: Int] = [:]
        var failingSince: [String: Double] = [:]
        var second = 0
        let totalSeconds = plan.duration

        let offClock = OffClockStatsSampler(sampler)
        /// The stats answers that came back since the last second, lined up with the expectation
        /// of the second their request left in; a second whose request never came back is missed.
        func absorbStatsAnswers() {
            guard wantsStats, let b = baseline else { return }
            let (answers, missed) = offClock.drain()
            if missed > 0 { agg.counters["stats.samples_missed", default: 0] &+= UInt64(missed) }
            for a in answers {
                guard let o = a.observed else { agg.counters["stats.samples_missed", default: 0] &+= 1; continue }
                agg.recordServerConnections(o.connections, second: a.t)
                statsSamples += StatsSampler.samples(t: a.t, expected: a.expected, observed: o, baseline: b,
                                                     withMembers: !judgesStats, previous: lastSampled)
                lastSampled = a.expected
            }
        }

        var lastRotationMicros = ctx.startMicros
        func collect(t: Int, sampleStats: Bool = true) async {
            var parts: [LoopSecond] = []
            for (i, loop) in loops.enumerated() {
                let box = shards[i]
                if let p = try? await loop.submit({ box.value.recorder.rotate() }).get() { parts.append(p) }
            }
            let now = EngineClock.monotonicMicros()
            let elapsed = Double(now &- lastRotationMicros) / 1_000_000
            lastRotationMicros = now
            agg.absorb(second: t, parts, serverConnections: nil, elapsedSeconds: elapsed)
            absorbStatsAnswers()
            if wantsStats, sampleStats, baseline != nil { offClock.sample(t: t, expected: agg.expected) }
        }

        // The per-second loop: merge, sample stats, watch budgets, print progress.
        while ctx.now() < totalSeconds {
            second += 1
            let wake = ctx.micros(atOffset: Double(second))
            // Sliced so a signal stops the load within 100 ms, not at the end of the second.
            while options.interruption?.signalName == nil {
                let now = EngineClock.monotonicMicros()
                guard wake > now else { break }
                try? await Task.sleep(nanoseconds: min(wake - now, 100_000) * 1000)
            }
            if let signal = options.interruption?.signalName {
                interruptedReason = String(format: "interrupted by %@ at %.1fs of %.0fs", signal, ctx.now(), totalSeconds)
                break
            }
            await health0.probe(loops)
            await collect(t: second)
            let inputs = BudgetEvaluator.Inputs(histograms: agg.totals, counters: agg.reportCounters, errors: agg.totalErrors,
                                                seconds: ctx.now(), saturated: health0.summary().saturated)
            if scenario.abortOnFail {
                for b in scenario.effectiveBudgets {
                    let r = BudgetEvaluator.evaluate(b, inputs)
                    if r.passed || r.actual == nil { failingSince[b.expression] = nil; continue }
                    let since = failingSince[b.expression] ?? ctx.now()
                    failingSince[b.expression] = since
                    if ctx.now() - since >= scenario.abortGraceSeconds {
                        abortReason = "budget \(b.expression) failed for \(Int(scenario.abortGraceSeconds))s (actual \(r.actual!))"
                    }
                }
            }
            let phaseIdx = plan.phaseIndex(at: ctx.now()) ?? max(0, plan.windows.count - 1)
            // Violations as they happen: the ledger keeps each check's first few; print the new ones.
            for kind in scenario.checks.map(\.kind) {
                let first = ledger.violations(kind).first
                for v in first.dropFirst(printedViolations[kind] ?? 0) { progress.violation(t: second, v) }
                printedViolations[kind] = first.count
            }
            progress.tick(t: second, phase: plan.windows[phaseIdx].name, left: totalSeconds - ctx.now(),
                          sample: agg.series.last!, p99: agg.totals[MetricName.eventDelivery].map { Double($0.valueAtPercentile(99)) / 1000 },
                          errors: agg.totalErrors, violations: ledger.totalViolations)
            if let observe = options.onSecond {
                observe(LiveProgress(t: second, phase: plan.windows[phaseIdx].name, secondsLeft: max(0, totalSeconds - ctx.now()),
                                     sample: agg.series.last!, totalErrors: agg.totalErrors, checkViolations: ledger.totalViolations,
                                     budgets: scenario.effectiveBudgets.map { BudgetEvaluator.evaluate($0, inputs) },
                                     health: health0.summary(), cpuNowPercent: health0.cpuNow))
            }
            if abortReason != nil { break }
        }
        // Shutdown order.
        dispatch.cancel()
        for bound in publishers {
            try? await bound.eventLoop.submit { let p = bound.value; p.stop(); if p.spec.completeAtEnd { p.completeAll() } }.get()
        }
        if abortReason == nil { try? await Task.sleep(nanoseconds: UInt64(scenario.drainSeconds * 1e9)) }
        await dispatcher.stopAll()
        if interruptedReason != nil, !options.embedded, options.workflowIDs == nil, !workflowIDs.isEmpty {
            let ended = await WorkflowCleanup.end(workflowIDs, kind: scenario.workflows.kind, http: http, serviceToken: tokens.service)
            interruptedReason! += "; ended \(ended) of \(workflowIDs.count) workflow(s) it created on the target"
        }
        // The clients are gone: the last second's numbers count, but stats now belong to the baseline check.
        await collect(t: interruptedReason != nil ? second : second + 1, sampleStats: false)
        await offClock.settle(within: 2)
        absorbStatsAnswers()
        progress.finish()

        var extra: [CheckKind: CheckResult] = [:]
        if let spec = scenario.checks.first(where: { $0.kind == .statsMatch }) {
            extra[.statsMatch] = judgesStats ? StatsChecks.match(statsSamples, spec: spec) : ShardRecord.deferredCheck(.statsMatch)
        }
        if let spec = scenario.checks.first(where: { $0.kind == .statsReturnToBaseline }) {
            let within = spec.seconds("within") ?? 5
            let t0 = ctx.now()
            var after = await sampler.fetch()
            while after != baseline && ctx.now() - t0 < within {
                try? await Task.sleep(nanoseconds: 250_000_000)
                after = await sampler.fetch()
            }
            extra[.statsReturnToBaseline] = judgesStats ? StatsChecks.baseline(before: baseline, after: after, waited: ctx.now() - t0)
                : ShardRecord.deferredCheck(.statsReturnToBaseline)
            shardInfo?.statsAfter = after?.counts
            shardInfo?.statsAfterAt = Date()
        }
        let healthSummary = health0.summary()
        var checks = CheckEvaluator.results(scenario.checks, ledger: ledger, observations: agg.observations, counters: agg.counters, extra: extra,
                                            vacuousPasses: segment.count > 1)
        if let gate = DefaultGates.connected(scenario, observations: agg.observations, counters: agg.counters, connected: agg.totals[MetricName.auth]?.count ?? 0,
                                             vacuousPasses: segment.count > 1) {
            checks.append(gate)
        }
        let inputs = BudgetEvaluator.Inputs(histograms: agg.totals, counters: agg.reportCounters, errors: agg.totalErrors,
                                            seconds: min(ctx.now(), totalSeconds), saturated: healthSummary.saturated)
        let budgets = scenario.effectiveBudgets.map { BudgetEvaluator.evaluate($0, inputs) }
        let phases = plan.windows.map {
            PhaseTiming(name: $0.name, start: runStart.addingTimeInterval($0.start), end: runStart.addingTimeInterval($0.end))
        }
        ledger.annotate(&agg.series)
        var report = RunReport(scenarioName: scenario.name, scenario: scenario.resolved,
                               environment: .current(stampedeVersion: StampedeVersion.number), target: target, start: runStart, end: Date(),
                               phases: phases, metrics: agg.totals.mapValues { MetricSummary(histogram: $0) },
                               counters: agg.reportCounters, timeSeries: agg.series, checks: checks, budgets: budgets,
                               statsSamples: statsSamples, generatorHealth: healthSummary, errorsByCode: agg.errors,
                               verdict: interruptedReason != nil ? .interrupted : abortReason != nil ? .aborted : nil,
                               abortReason: interruptedReason ?? abortReason)
        report.environment.clientIO = clientLoops.summary(scenario)
        if shardInfo != nil {
            shardInfo?.clockOffsetMs = agg.clockSamples > 0 ? Double(agg.clockGapMinMicros) / 1000 : nil
            shardInfo?.clockSamples = agg.clockSamples
        }
        report.shard = shardInfo
        var code: Int32 = !checks.allSatisfy(\.passed) ? 2 : (!budgets.allSatisfy(\.passed) || abortReason != nil ? 1 : 0)
        if options.deferVerdict { code = 0 }
        if interruptedReason != nil { code = RunReport.interruptedExitCode }
        report.exitCode = code
        return RunOutcome(report: report, exitCode: code)
    }
}

extension ScenarioRunner {
    /// Creates the scenario's workflows once (the `--workers` parent does this, then hands the
    /// ids to every shard so they all subscribe to the same workflows).
    public static func createWorkflows(_ scenario: Scenario, baseURL: String, jwtSecret: String) async throws -> [String] {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { Task { try? await group.shutdownGracefully() } }
        let http = HTTPClient(endpoint: try ServerEndpoint(url: baseURL), eventLoopGroup: group)
        defer { http.shutdown() }
        let tokens = try TokenBook(auth: scenario.auth, secret: scenario.auth.secret ?? jwtSecret)
        return try await WorkflowSetup.create(scenario, http: http, tokens: tokens)
    }
}

