import Foundation

/// Maps data values onto one SVG axis and chooses readable ticks.
struct ChartScale {
    enum Kind {
        case linear
        /// Decades; non-positive values sit on the lowest decade.
        case log
        /// HdrHistogram's percentile axis: x = log10(1 / (1 − p/100)), so 90, 99, 99.9 … are evenly spaced.
        case percentile
    }

    let kind: Kind
    let lo: Double
    let hi: Double
    let pixelStart: Double
    let pixelEnd: Double

    /// - Parameters: values in data units (percentiles 0…100 for `.percentile`).
    /// - Parameter tight: keep the data's own bounds (time axes) instead of rounding out to nice steps.
    init(kind: Kind, values: [Double], pixelStart: Double, pixelEnd: Double, includeZero: Bool = true, tight: Bool = false) {
        self.kind = kind
        self.pixelStart = pixelStart
        self.pixelEnd = pixelEnd
        let transformed = values.filter(\.isFinite).map { Self.transform($0, kind) }
        var lo = transformed.min() ?? 0
        var hi = transformed.max() ?? 1
        switch kind {
        case .linear:
            if includeZero { lo = Swift.min(lo, 0) }
            if hi <= lo { hi = lo + 1 }
            if !tight {
                let step = Self.niceStep((hi - lo) / 5)
                lo = (lo / step).rounded(.down) * step
                hi = (hi / step).rounded(.up) * step
            }
        case .log:
            lo = lo.rounded(.down)
            hi = Swift.max(hi.rounded(.up), lo + 1)
        case .percentile:
            lo = 0
            hi = Swift.max(1, hi.rounded(.up))
        }
        self.lo = lo
        self.hi = hi
    }

    static func transform(_ v: Double, _ kind: Kind) -> Double {
        switch kind {
        case .linear: return v
        case .log: return log10(Swift.max(v, 0.001))
        case .percentile:
            // 100% itself is infinitely far right: cap at 99.9999%.
            let p = Swift.min(Swift.max(v, 0), 99.9999)
            return log10(1 / (1 - p / 100))
        }
    }

    func pixel(_ v: Double) -> Double {
        let t = (Self.transform(v, kind) - lo) / (hi - lo)
        return pixelStart + t * (pixelEnd - pixelStart)
    }

    /// (pixel, label) pairs.
    func ticks(format: (Double) -> String) -> [(Double, String)] {
        switch kind {
        case .linear:
            let step = Self.niceStep((hi - lo) / 5)
            var out: [(Double, String)] = []
            var v = (lo / step).rounded(.up) * step
            while v <= hi + step / 1000 {
                out.append((pixel(v), format(v)))
                v += step
            }
            return out
        case .log:
            return stride(from: lo, through: hi, by: 1).map { d in
                let value = pow(10, d)
                return (pixelStart + (d - lo) / (hi - lo) * (pixelEnd - pixelStart), format(value))
            }
        case .percentile:
            return stride(from: lo, through: hi, by: 1).map { d in
                let p = 100 * (1 - pow(10, -d))
                return (pixelStart + (d - lo) / (hi - lo) * (pixelEnd - pixelStart), BudgetText.number(p) + "%")
            }
        }
    }

    /// 1, 2 or 5 times a power of ten.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = pow(10, log10(raw).rounded(.down))
        let f = raw / magnitude
        let nice: Double = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10
        return nice * magnitude
    }
}
