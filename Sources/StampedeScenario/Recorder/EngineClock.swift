import Foundation

/// The generator's two clocks: monotonic for intervals measured in one process, wall for
/// publish→receipt across processes (`--workers` children share the machine's wall clock).
public enum EngineClock {
    @inline(__always) public static func monotonicMicros() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }

    @inline(__always) public static func wallMicros() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }
}
