import NIOConcurrencyHelpers
import NIOCore

/// A token bucket per user, for `POST /api/v1/workflows` (PROTOCOL §6).
final class PerUserRateLimiter: Sendable {
    private let buckets = NIOLockedValueBox<[String: TokenBucket]>([:])
    let rate: Double
    let burst: Double

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
    }

    func take(_ user: String, now: NIODeadline = .now()) -> TokenBucket.Decision {
        buckets.withLockedValue { b in
            var bucket = b[user] ?? TokenBucket(rate: rate, burst: burst, now: now)
            let d = bucket.take(now: now)
            b[user] = bucket
            if b.count > 100_000 { b = b.filter { $0.key == user } }  // bounded: idle buckets are full anyway
            return d
        }
    }
}
