import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
@testable import StampedeServer
import Testing

/// The server's timer table: timers fire in deadline order on their loop, a cancelled one
/// never fires, and an earlier deadline scheduled after a later one is not held behind it.
@Suite struct LoopTimersTests {
    /// Runs `body` on a one-thread loop and returns what it recorded once `settle` has passed.
    private func onLoop(settle: TimeAmount, _ body: @escaping (LoopTimers, @escaping (String) -> Void) -> Void) async throws -> [String] {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let log = NIOLockedValueBox<[String]>([])
        try await loop.submit {
            body(LoopTimers.on(loop)) { s in log.withLockedValue { $0.append(s) } }
        }.get()
        try await Task.sleep(nanoseconds: UInt64(settle.nanoseconds))
        let fired = try await loop.submit { log.withLockedValue { $0 } }.get()
        try await group.shutdownGracefully()
        return fired
    }

    @Test func timersFireInDeadlineOrderAndCancelledOnesNever() async throws {
        let fired = try await onLoop(settle: .milliseconds(400)) { timers, record in
            _ = timers.schedule(in: .milliseconds(150)) { record("late") }
            let dropped = timers.schedule(in: .milliseconds(60)) { record("cancelled") }
            _ = timers.schedule(in: .milliseconds(30)) { record("early") }  // earlier than the armed one
            _ = timers.schedule(in: .milliseconds(90)) { record("middle") }
            dropped.cancel()
            dropped.cancel()  // twice: nothing
        }
        #expect(fired == ["early", "middle", "late"])
    }

    @Test func aTimerMayScheduleAndCancelOthersFromItsBody() async throws {
        let fired = try await onLoop(settle: .milliseconds(300)) { timers, record in
            var victim: LoopTimers.Handle?
            _ = timers.schedule(in: .milliseconds(20)) {
                record("first")
                victim?.cancel()
                _ = timers.schedule(in: .milliseconds(20)) { record("rescheduled") }
            }
            victim = timers.schedule(in: .milliseconds(60)) { record("victim") }
        }
        #expect(fired == ["first", "rescheduled"])
    }

    @Test func eachLoopHasItsOwnTableAndCountsOnlyLiveTimers() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let a = group.next(), b = group.next()
        #expect(LoopTimers.on(a) === LoopTimers.on(a))
        #expect(LoopTimers.on(a) !== LoopTimers.on(b))
        let counts = try await a.submit { () -> [Int] in
            let t = LoopTimers.on(a)
            let h = (0..<1000).map { _ in t.schedule(in: .seconds(60)) {} }
            let full = t.count
            h.forEach { $0.cancel() }
            return [full, t.count]
        }.get()
        #expect(counts == [1000, 0])
        try await group.shutdownGracefully()
    }
}
