/// Exponential backoff with jitter, as a pure value so the schedule is
/// testable: attempt n waits `initial · multiplier^n`, capped at `maximum`,
/// then scaled by a random factor in `1 - jitter ... 1` so a server restart
/// is not met by every client at the same instant.
public struct ReconnectBackoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double
    /// 0 = no jitter, 0.5 = up to half of the delay removed at random.
    public var jitter: Double

    public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(10),
                multiplier: Double = 2, jitter: Double = 0.5) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = min(max(jitter, 0), 1)
    }

    /// `random` in 0..<1 (injected by tests; `Double.random` otherwise).
    public func delay(attempt: Int, random: Double = Double.random(in: 0..<1)) -> Duration {
        let base = initial.seconds * pow(multiplier, Double(max(0, attempt)))
        let capped = min(base, maximum.seconds)
        let scaled = capped * (1 - jitter * random)
        return .milliseconds(Int64((scaled * 1000).rounded()))
    }
}

extension Duration {
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}

private func pow(_ b: Double, _ e: Double) -> Double {
    var r = 1.0
    var n = Int(e)
    while n > 0 { r *= b; n -= 1 }
    return r
}
