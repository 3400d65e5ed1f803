import Foundation

/// Whether a difference between two runs is more than sampling noise (issue 15, item 4: two
/// back-to-back runs of the same binary reported 28 "regressions"). Each test works on what the
/// reports keep losslessly: the whole-run histograms and the counters.
enum Significance {
    /// A percentile's confidence interval from its histogram: the q-quantile's rank has standard
    /// error √(n·q·(1−q)) (binomial order statistics), so the interval is the values at ranks
    /// q ± z·√(q(1−q)/n). Distribution-free; widens by itself in the tail and for small n.
    static func percentileInterval(_ h: LatencyHistogram, percentile p: Double, z: Double) -> ClosedRange<Double> {
        let n = Double(max(h.count, 1)), q = p / 100
        let se = (q * (1 - q) / n).squareRoot()
        let lo = max(0, q - z * se), hi = min(1, q + z * se)
        return millis(h.valueAtPercentile(lo * 100))...millis(h.valueAtPercentile(hi * 100))
    }

    /// Non-overlapping intervals: current's whole interval lies beyond the baseline's.
    static func percentileMoved(baseline b: LatencyHistogram, current c: LatencyHistogram, percentile p: Double,
                                z: Double) -> (up: Bool, down: Bool, note: String) {
        let bi = percentileInterval(b, percentile: p, z: z), ci = percentileInterval(c, percentile: p, z: z)
        let note = "CI \(fmt(bi)) vs \(fmt(ci)) ms"
        return (ci.lowerBound > bi.upperBound, ci.upperBound < bi.lowerBound, note)
    }

    /// Welch's z for means: |Δ| > z·√(s₁²/n₁ + s₂²/n₂).
    static func meanMoved(baseline b: LatencyHistogram, current c: LatencyHistogram, z: Double) -> (up: Bool, down: Bool) {
        let nb = Double(max(b.count, 1)), nc = Double(max(c.count, 1))
        let sb = b.stdev / 1000, sc = c.stdev / 1000
        let bound = z * (sb * sb / nb + sc * sc / nc).squareRoot()
        let d = c.mean / 1000 - b.mean / 1000
        return (d > bound, -d > bound)
    }

    /// Two Poisson counts over their durations: the rates differ by more than z standard errors.
    static func rateMoved(baselineCount nb: Double, baselineSeconds db: Double, currentCount nc: Double,
                          currentSeconds dc: Double, z: Double) -> (up: Bool, down: Bool) {
        let rb = nb / max(db, 1e-9), rc = nc / max(dc, 1e-9)
        let bound = z * (nb / max(db * db, 1e-18) + nc / max(dc * dc, 1e-18)).squareRoot()
        return (rc - rb > bound, rb - rc > bound)
    }

    static func millis(_ micros: UInt64) -> Double { Double(micros) / 1000 }

    static func fmt(_ r: ClosedRange<Double>) -> String {
        String(format: "%.2f–%.2f", r.lowerBound, r.upperBound)
    }
}
