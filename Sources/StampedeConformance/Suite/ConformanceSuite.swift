/// The wire half of `stampede conformance`: every SOCKETIO.md behaviour and
/// every PROTOCOL §2 refusal, probed with raw packets. The contract half
/// (ordering, isolation, recovery, stats, limits under load) runs as the
/// scenario files in `scenarios/conformance/` through the scenario engine.
public enum ConformanceSuite {
    public static var wireChecks: [ConformanceCheck] {
        EngineIOHandshakeChecks.all + EngineIOPollingChecks.all + EngineIOUpgradeChecks.all + SocketIOChecks.all + AuthChecks.all
    }

    /// Runs the checks whose names contain `filter` (all when nil), a few
    /// at a time: they are independent sessions, and the slow ones are
    /// timer-bound, not CPU-bound.
    public static func runWireChecks(_ context: ProbeContext, filter: String? = nil, parallelism: Int = 4,
                                     report: @Sendable (ConformanceResult) -> Void = { _ in }) async -> [ConformanceResult] {
        let checks = wireChecks.filter { filter == nil || $0.name.contains(filter!) }
        var results = [ConformanceResult?](repeating: nil, count: checks.count)
        await withTaskGroup(of: (Int, ConformanceResult).self) { group in
            var next = 0
            func launch() {
                guard next < checks.count else { return }
                let i = next
                next += 1
                group.addTask { (i, await checks[i].run(context)) }
            }
            for _ in 0..<max(1, parallelism) { launch() }
            while let (i, r) = await group.next() {
                results[i] = r
                report(r)
                launch()
            }
        }
        return results.compactMap { $0 }
    }
}
