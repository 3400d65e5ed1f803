"""Token buckets of PROTOCOL.md §6."""
import time


class TokenBucket:
    def __init__(self, rate, burst):
        self.rate = float(rate)
        self.burst = float(burst)
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self):
        """0 when allowed, else the milliseconds until a token is back."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0
        return max(1, int((1 - self.tokens) / self.rate * 1000 + 0.999))


class RefusalWindow:
    """Counts refusals over a sliding window: past the limit the socket is dropped."""

    def __init__(self, limit=50, window=10.0):
        self.limit = limit
        self.window = window
        self.times = []

    def refuse(self):
        now = time.monotonic()
        self.times = [t for t in self.times if now - t < self.window]
        self.times.append(now)
        return len(self.times) >= self.limit
