import Foundation
import Testing
@testable import StampedeReports
import StampedeTestSupport

/// Issue 15 item 4: two back-to-back runs of the same binary must not "regress". Ten runs drawn
/// from one distribution (different seeds: sampling noise, rare slow outliers, a small counter
/// that comes and goes) are compared pairwise — no regression; the same comparison without the
/// significance rules (`CompareOptions.strict`) flaps, which is what the rules are for; and an
/// injected slowdown is still caught.
@Suite(.serialized) final class CompareSignificanceTests {
    /// One "run": the synthetic latency mix plus counters with Poisson-like noise.
    func run(seed: UInt64) -> RunReport {
        var r = SyntheticRun(seconds: 20, perSecondPerMetric: 60, shards: 1, seed: seed, keepSecondHistograms: false)
            .report(shards: [0])
        var rng = SeededRandom(seed: seed &* 7919)
        let events = Double(r.counters["events_received"] ?? 0)
        r.counters["events_received"] = UInt64(events + (rng.nextUnit() - 0.5) * 2 * events.squareRoot())
        r.counters["unexpected_disconnects"] = rng.next() % 4          // 0…3: a counter that comes and goes
        r.counters["connect.failures"] = rng.next() % 3
        return r
    }

    /// `factor` × every event_delivery latency plus `addMicros`: the injected slowdown.
    func slowed(_ r: RunReport, factor: Double = 1, addMicros: UInt64 = 0) -> RunReport {
        var r = r
        var h = LatencyHistogram()
        for b in r.metrics["event_delivery"]!.histogram.buckets() {
            h.record(UInt64(Double(b.value) * factor) + addMicros, count: b.count)
        }
        r.metrics["event_delivery"] = MetricSummary(histogram: h)
        return r
    }

    lazy var runs: [RunReport] = (1...10).map { run(seed: UInt64($0)) }

    @Test func testTenRepeatedRunsComparedPairwiseGiveNoFalseRegression() {
        var strictFlaps = 0
        for i in runs.indices {
            for j in runs.indices where i != j {
                let result = ReportComparator.compare(baseline: runs[i], current: runs[j])
                #expect(result.exitCode == 0, Comment(rawValue: "run \(i + 1) vs \(j + 1): " + result.regressions.map {
                    "\($0.metric).\($0.statistic) \($0.baseline ?? -1)→\($0.current ?? -1) \($0.note ?? "")"
                }.joined(separator: "; ")))
                strictFlaps += ReportComparator.compare(baseline: runs[i], current: runs[j], options: .strict()).regressions.count
            }
        }
        // Without significance the same pairs flap — the defect this guards against.
        #expect(strictFlaps > 20)
    }

    @Test func testAnInjectedSlowdownIsCaught() {
        for (i, baseline) in runs.enumerated() {
            // Every delivery twice as slow (~1.7 → 3.4 ms at p50): what a doubled step delay does.
            let current = slowed(runs[(i + 1) % runs.count], factor: 2)
            let result = ReportComparator.compare(baseline: baseline, current: current)
            #expect(result.exitCode == 1, Comment(rawValue: "run \(i + 1): " + result.rows.filter { $0.metric == "event_delivery" }.map {
                "\($0.statistic) \($0.baseline ?? -1)→\($0.current ?? -1) \($0.status) \($0.note ?? "")" }.joined(separator: "; ")))
            let moved = Set(result.regressions.filter { $0.metric == "event_delivery" }.map(\.statistic))
            #expect(moved.isSuperset(of: ["p50", "p75", "p90", "mean"]), "\(moved)")
            #expect(result.regressions.allSatisfy { $0.metric == "event_delivery" }, "\(result.regressions)")
        }
        // A constant 5 ms delay (a slow hop in the server) as well.
        let result = ReportComparator.compare(baseline: runs[0], current: slowed(runs[1], addMicros: 5_000))
        #expect(result.regressions.contains { $0.metric == "event_delivery" && $0.statistic == "p50" })
    }

    @Test func testFewSamplesAreShownNotJudged() {
        var b = runs[0], c = runs[1]
        var few = LatencyHistogram(), slow = LatencyHistogram()
        for v in 0..<50 { few.record(UInt64(1_000 + v * 10)); slow.record(UInt64(3_000 + v * 30)) }
        b.metrics = ["reconnect": MetricSummary(histogram: few)]
        c.metrics = ["reconnect": MetricSummary(histogram: slow)]
        let result = ReportComparator.compare(baseline: b, current: c)
        #expect(!(result.regressions.contains { $0.metric == "reconnect" }))
        let p50 = result.rows.first { $0.metric == "reconnect" && $0.statistic == "p50" }
        #expect(p50?.status == .noise)
        #expect(p50?.note == "50 samples < 100")
        let strict = ReportComparator.compare(baseline: b, current: c, options: .strict())
        #expect(strict.regressions.contains { $0.metric == "reconnect" && $0.statistic == "p50" })
    }

    @Test func testMaxIsShownNeverJudged() {
        var c = runs[0]
        var h = runs[0].metrics["connect"]!.histogram
        h.record(5_000_000)
        c.metrics["connect"] = MetricSummary(histogram: h)
        let result = ReportComparator.compare(baseline: runs[0], current: c)
        #expect(result.exitCode == 0)
        #expect(result.rows.first { $0.metric == "connect" && $0.statistic == "max" }?.status == .info)
    }

    @Test func testTheTablePrintsOnlyWhatMoved() {
        let quiet = ComparisonTable.render(ReportComparator.compare(baseline: runs[0], current: runs[1]))
        #expect(!(quiet.contains("event_delivery")), "\(quiet)")
        #expect(quiet.contains("--all shows every row"), "\(quiet)")
        #expect(quiet.contains("no regressions"), "\(quiet)")
        let slow = ComparisonTable.render(ReportComparator.compare(baseline: runs[0], current: slowed(runs[1], factor: 2)))
        #expect(slow.contains("event_delivery") && slow.contains("REGRESSED"), "\(slow)")
        #expect(!(slow.contains("connect ")), "\(slow)")
        let all = ComparisonTable.render(ReportComparator.compare(baseline: runs[0], current: runs[1]), showAll: true)
        #expect(all.contains("connect"))
    }

    /// Machine drift between runs (other load on the box) is not sampling noise: with several
    /// baselines their spread is the band, and only a change beyond all of them regresses.
    @Test func testSeveralBaselinesAreANoiseBand() {
        let band = [slowed(runs[0]), slowed(runs[1], addMicros: 1_500), slowed(runs[2], addMicros: 3_000)]
        let drifted = slowed(runs[3], addMicros: 2_000)
        #expect(ReportComparator.compare(baseline: band[0], current: drifted).exitCode == 1, "one baseline: drift looks like a regression")
        let judged = ReportComparator.compare(baselines: band, current: drifted)
        #expect(judged.exitCode == 0, "\(judged.regressions)")
        #expect(judged.rows.contains { $0.metric == "event_delivery" && $0.status == .noise && $0.note?.contains("band of 3") == true })
        let slower = ReportComparator.compare(baselines: band, current: slowed(runs[3], addMicros: 8_000))
        #expect(slower.regressions.contains { $0.metric == "event_delivery" && $0.statistic == "p50" && $0.note?.contains("beyond all 3") == true })
    }

    /// A metric that a baseline saw a handful of times (one replayed event at a subscribe
    /// boundary) is not "missing" when the current run has none.
    @Test func testARareMetricThatIsAbsentNowIsNotMissing() {
        var b = runs[0]
        var h = LatencyHistogram()
        h.record(3_500)
        b.metrics["event_replay"] = MetricSummary(histogram: h)
        #expect(ReportComparator.compare(baseline: b, current: runs[1]).exitCode == 0)
        #expect(ReportComparator.compare(baselines: [b, runs[2]], current: runs[1]).exitCode == 0)
        #expect(ReportComparator.compare(baseline: runs[0], current: { var c = runs[1]; c.metrics["connect"] = nil; return c }()).exitCode == 1)
    }

    /// A saturated baseline is left out of the band: it would hide every latency regression.
    @Test func testASaturatedBaselineDoesNotWidenTheBand() {
        var stalled = slowed(runs[2], factor: 50)
        stalled.generatorHealth.saturated = true
        let result = ReportComparator.compare(baselines: [runs[0], runs[1], stalled], current: slowed(runs[3], factor: 2))
        #expect(result.regressions.contains { $0.metric == "event_delivery" && $0.statistic == "p50" }, "\(result.regressions)")
    }

    /// A saturated generator measured itself (its report says so): no latency verdict either way.
    @Test func testASaturatedRunJudgesNoLatency() {
        var current = slowed(runs[1], factor: 2)
        current.generatorHealth.saturated = true
        let result = ReportComparator.compare(baseline: runs[0], current: current)
        #expect(!(result.regressions.contains { $0.unit == "ms" }), "\(result.regressions)")
        #expect(result.rows.contains { $0.note == "current generator saturated: latencies unreliable" })
    }
}
