#if os(Linux)
import NIOConcurrencyHelpers
import NIOCore
import Testing
@testable import StampedeClient

/// The reactor is a whole `EventLoop`: the client core, the virtual clients' timers and their
/// futures run on it unchanged. These pin the parts of that contract they rely on.
@Suite(.timeLimit(.minutes(1))) struct ReactorLoopTests {
    @Test func tasksRunOnTheLoopInTheOrderTheyWereHandedOver() async throws {
        let loop = try ReactorLoop()
        defer { loop.syncShutdown() }
        #expect(!loop.inEventLoop)
        let seen = NIOLockedValueBox<[Int]>([])
        for i in 0..<100 { loop.execute { precondition(loop.inEventLoop); seen.withLockedValue { $0.append(i) } } }
        let onLoop = try await loop.submit { loop.inEventLoop }.get()
        #expect(onLoop)
        #expect(seen.withLockedValue { $0 } == Array(0..<100))
    }

    @Test func timersFireInDeadlineOrderAndACancelledOneNever() async throws {
        let loop = try ReactorLoop()
        defer { loop.syncShutdown() }
        let fired = NIOLockedValueBox<[String]>([])
        let late = loop.scheduleTask(in: .milliseconds(60)) { fired.withLockedValue { $0.append("60") } }
        let cancelled = loop.scheduleTask(in: .milliseconds(30)) { fired.withLockedValue { $0.append("30") } }
        let early = loop.scheduleTask(in: .milliseconds(10)) { fired.withLockedValue { $0.append("10") } }
        cancelled.cancel()
        try await early.futureResult.get()
        try await late.futureResult.get()
        await #expect(throws: EventLoopError.self) { try await cancelled.futureResult.get() }
        #expect(fired.withLockedValue { $0 } == ["10", "60"])
        // A timer is not early: it fires at or after its deadline.
        let start = NIODeadline.now()
        try await loop.scheduleTask(in: .milliseconds(20)) {}.futureResult.get()
        #expect(NIODeadline.now() - start >= .milliseconds(20))
    }

    @Test func aTaskHandedOverWhileTheLoopSleepsWakesIt() async throws {
        let loop = try ReactorLoop()
        defer { loop.syncShutdown() }
        // Let it fall asleep in epoll_wait with no timer at all.
        try await Task.sleep(for: .milliseconds(50))
        let start = NIODeadline.now()
        _ = try await loop.submit { 1 }.get()
        #expect(NIODeadline.now() - start < .seconds(5), "an idle loop is woken by its eventfd, not by a timeout")
    }

    @Test func futuresAndIsolatedTimersWork() async throws {
        let loop = try ReactorLoop()
        defer { loop.syncShutdown() }
        let v = try await loop.submit { () -> Int in
            var hits = 0
            _ = loop.assumeIsolated().scheduleTask(in: .milliseconds(1)) { hits += 1 }
            return 41
        }.flatMap { n in loop.scheduleTask(in: .milliseconds(5)) { n + 1 }.futureResult }.get()
        #expect(v == 42)
    }

    @Test func shutdownStopsTheThread() async throws {
        let loop = try ReactorLoop()
        try await loop.submit {}.get()
        try await loop.shutdownGracefully()
    }
}
#endif
