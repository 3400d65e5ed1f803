#if os(Linux)
import CEpoll
import Dispatch
import Glibc
import NIOConcurrencyHelpers
import NIOCore
import StampedeTimers

/// What a descriptor registered with a `ReactorLoop` is told; called on the loop only.
protocol ReactorHandler: AnyObject {
    /// `events` holds the epoll bits (`EPOLLIN`, `EPOLLOUT`, `EPOLLHUP`, `EPOLLERR`, …).
    func reactorReady(_ events: UInt32)
}

/// An `EventLoop` that is one thread over one epoll set, with no channel per socket: the load
/// generator's WebSocket clients register their descriptors here and are told when they are
/// ready, and they read and write them themselves.
///
/// Why: NIO gives every connection a `Channel` with a pipeline, and each read walks it — the
/// read allocator, `fireChannelRead`, `fireChannelReadComplete`, `read()` back down, the
/// handler contexts, a fresh or re-checked buffer. §16 of docs/BENCHMARKS.md measured that per-read
/// path at a fifth of the generator's CPU per delivery, and the Swift runtime's retains and
/// releases on those ~10 objects per read at another fifth. Here a ready socket costs one array
/// slot, one `read(2)` into the loop's one buffer, and the frame reader.
///
/// It is a full `EventLoop` (tasks, timers, futures, `NIOLoopBound`), so the client core, the
/// virtual clients and their timers run on it unchanged. It cannot host NIO channels:
/// long-polling, TLS and HTTP stay on NIO's loops (`ClientLoops` in StampedeScenario decides).
///
/// `@unchecked Sendable`: what other threads touch (tasks, timers, the sleeping flag) is behind
/// one lock (`shared`); the descriptor table and the read buffer are the loop thread's alone.
public final class ReactorLoop: EventLoop, @unchecked Sendable {
    private let epfd: Int32
    private let wakeFD: Int32
    private var thread: pthread_t?
    /// Set once the thread runs; compared by `inEventLoop`.
    private let threadID = NIOLockedValueBox<pthread_t?>(nil)
    private let started = ConditionLock(value: 0)

    /// Tasks and timers handed over from any thread, and whether the loop sleeps in epoll.
    private struct Shared {
        var tasks: [() -> Void] = []
        var timers = TimerHeap<() -> Void>()
        var sleeping = false
        var wakePending = false
        var stopping = false
        /// Timers not yet fired nor cancelled; a cancelled one stays in the heap until its time.
        var live: Set<UInt64> = []
        var lastTimerID: UInt64 = 0
    }
    private let shared = NIOLockedValueBox(Shared())

    // Loop-confined from here on.
    /// Handlers by descriptor number: one array slot per socket, no hashing per ready event.
    // `@exclusivity(unchecked)`: loop-confined per-delivery state (docs/ARCHITECTURE.md, "Threads and confinement").
    @exclusivity(unchecked) private var handlers: [ReactorHandler?] = []
    /// The loop's one receive buffer: every ready socket is read into it (`withReadBuffer`).
    @exclusivity(unchecked) private var readBuffer: ByteBuffer
    private let allocator = ByteBufferAllocator()
    static let readCapacity = 16 * 1024

    private let name: String

    /// `name` is the thread's (as `top -H` and `perf` show it; 15 bytes at most).
    public init(name: String = "reactor") throws {
        self.name = name
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epfd >= 0 else { throw IOError(errnoCode: errno, reason: "epoll_create1") }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeFD >= 0 else { Glibc.close(epfd); throw IOError(errnoCode: errno, reason: "eventfd") }
        readBuffer = allocator.buffer(capacity: Self.readCapacity)
        guard cepoll_ctl(epfd, EPOLL_CTL_ADD, wakeFD, EPOLLIN.rawValue) == 0 else {
            throw IOError(errnoCode: errno, reason: "epoll_ctl(eventfd)")
        }
        let box = Unmanaged.passRetained(self)
        var t = pthread_t()
        let rc = pthread_create(&t, nil, { arg in
            let loop = Unmanaged<ReactorLoop>.fromOpaque(arg!).takeRetainedValue()
            loop.run()
            return nil
        }, box.toOpaque())
        guard rc == 0 else { box.release(); throw IOError(errnoCode: rc, reason: "pthread_create") }
        thread = t
        started.lock(whenValue: 1)
        started.unlock()
    }

    // MARK: descriptors (on the loop)

    /// Adds `fd` to the epoll set for `events`, told to `handler` until `deregister`.
    func register(_ fd: Int32, events: UInt32, handler: ReactorHandler) throws {
        assert(inEventLoop)
        let slot = Int(fd)
        if slot >= handlers.count { handlers.append(contentsOf: repeatElement(nil, count: slot + 1 - handlers.count)) }
        guard cepoll_ctl(epfd, EPOLL_CTL_ADD, fd, events) == 0 else { throw IOError(errnoCode: errno, reason: "epoll_ctl(add)") }
        handlers[slot] = handler
    }

    func modify(_ fd: Int32, events: UInt32) {
        _ = cepoll_ctl(epfd, EPOLL_CTL_MOD, fd, events)
    }

    /// Takes `fd` out of the set; the caller closes it.
    func deregister(_ fd: Int32) {
        assert(inEventLoop)
        _ = cepoll_ctl(epfd, EPOLL_CTL_DEL, fd, 0)
        if Int(fd) < handlers.count { handlers[Int(fd)] = nil }
    }

    /// Runs `body` with the loop's receive buffer, cleared. When a previous reader kept a slice
    /// of it (an event held past its delivery), a new buffer is taken rather than the old one
    /// copied on write.
    func withReadBuffer<T>(_ body: (inout ByteBuffer) -> T) -> T {
        if let r = readBuffer.modifyIfUniquelyOwned({ (b: inout ByteBuffer) -> T in
            b.clear()
            return body(&b)
        }) {
            return r
        }
        readBuffer = allocator.buffer(capacity: Self.readCapacity)
        return body(&readBuffer)
    }

    var bufferAllocator: ByteBufferAllocator { allocator }

    // MARK: the loop

    private func run() {
        threadID.withLockedValue { $0 = pthread_self() }
        cepoll_name_thread(String(decoding: name.utf8.prefix(15), as: UTF8.self))
        started.lock()
        started.unlock(withValue: 1)
        var fds = [Int32](repeating: 0, count: 512)
        var events = [UInt32](repeating: 0, count: 512)
        while true {
            let (tasks, timeout, stop) = takeWork()
            for t in tasks { t() }
            if stop && tasks.isEmpty { break }
            let n = fds.withUnsafeMutableBufferPointer { f in
                events.withUnsafeMutableBufferPointer { e in cepoll_wait(epfd, f.baseAddress, e.baseAddress, 512, timeout) }
            }
            if timeout != 0 { shared.withLockedValue { $0.sleeping = false } }
            if n > 0 {
                for i in 0..<Int(n) {
                    let fd = fds[i]
                    if fd == wakeFD {
                        var v: UInt64 = 0
                        _ = Glibc.read(wakeFD, &v, 8)
                        shared.withLockedValue { $0.wakePending = false }
                    } else if Int(fd) < handlers.count, let h = handlers[Int(fd)] {
                        h.reactorReady(events[i])
                    }
                }
            }
            runDueTimers()
        }
        for fd in handlers.indices where handlers[fd] != nil { Glibc.close(Int32(fd)) }
        handlers = []
        Glibc.close(wakeFD)
        Glibc.close(epfd)
    }

    /// The queued tasks, and how long epoll may sleep (0: not at all; -1: until woken).
    private func takeWork() -> ([() -> Void], Int32, Bool) {
        let now = NIODeadline.now().uptimeNanoseconds
        return shared.withLockedValue { s in
            let tasks = s.tasks
            s.tasks = []
            var timeout: Int32 = -1
            if let next = s.timers.peek?.deadline {
                timeout = next <= now ? 0 : Int32(min((next - now + 999_999) / 1_000_000, 60_000))
            }
            // The loop sleeps in epoll only with nothing to run: the flag tells `enqueue` to wake it.
            s.sleeping = tasks.isEmpty && timeout != 0 && !s.stopping
            return (tasks, s.sleeping ? timeout : 0, s.stopping)
        }
    }

    private func runDueTimers() {
        let now = NIODeadline.now().uptimeNanoseconds
        while true {
            let due: TimerHeap<() -> Void>.Entry? = shared.withLockedValue { s in
                while let top = s.timers.peek, top.deadline <= now {
                    let e = s.timers.pop()!
                    if s.live.remove(e.id) != nil { return e }
                }
                return nil
            }
            guard let due else { return }
            due.payload()
        }
    }

    // MARK: EventLoop

    public var inEventLoop: Bool {
        guard let id = threadID.withLockedValue({ $0 }) else { return false }
        return pthread_equal(id, pthread_self()) != 0
    }

    public func execute(_ task: @escaping @Sendable () -> Void) { enqueue(task) }

    public func _executeIsolatedUnsafeUnchecked(_ task: @escaping () -> Void) { enqueue(task) }

    private func enqueue(_ task: @escaping () -> Void) {
        let wake = shared.withLockedValue { s -> Bool in
            s.tasks.append(task)
            guard s.sleeping, !s.wakePending else { return false }
            s.wakePending = true
            return true
        }
        if wake { wakeUp() }
    }

    private func wakeUp() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, 8)
    }

    public func scheduleTask<T>(deadline: NIODeadline, _ task: @escaping @Sendable () throws -> T) -> Scheduled<T> {
        schedule(deadline: deadline, task)
    }

    public func scheduleTask<T>(in delay: TimeAmount, _ task: @escaping @Sendable () throws -> T) -> Scheduled<T> {
        schedule(deadline: .now() + delay, task)
    }

    public func _scheduleTaskIsolatedUnsafeUnchecked<T>(deadline: NIODeadline, _ task: @escaping () throws -> T) -> Scheduled<T> {
        schedule(deadline: deadline, task)
    }

    public func _scheduleTaskIsolatedUnsafeUnchecked<T>(in delay: TimeAmount, _ task: @escaping () throws -> T) -> Scheduled<T> {
        schedule(deadline: .now() + delay, task)
    }

    private func schedule<T>(deadline: NIODeadline, _ task: @escaping () throws -> T) -> Scheduled<T> {
        let promise = makePromise(of: T.self)
        let run = {
            let p = promise.assumeIsolatedUnsafeUnchecked()
            do { p.succeed(try task()) } catch { promise.fail(error) }
        }
        let (id, wake) = shared.withLockedValue { s -> (UInt64, Bool) in
            s.lastTimerID += 1
            let entry = TimerHeap.Entry(deadline: deadline.uptimeNanoseconds, id: s.lastTimerID, payload: run)
            let wasFirst = s.timers.peek.map { entry.deadline < $0.deadline } ?? true
            s.timers.push(entry)
            s.live.insert(entry.id)
            guard wasFirst, s.sleeping, !s.wakePending else { return (entry.id, false) }
            s.wakePending = true
            return (entry.id, true)
        }
        if wake { wakeUp() }
        return Scheduled(promise: promise) { [self] in
            let removed = shared.withLockedValue { s in s.live.remove(id) != nil }
            if removed { promise.fail(EventLoopError.cancelled) }
        }
    }

    public func preconditionInEventLoop(file: StaticString, line: UInt) {
        precondition(inEventLoop, "not on the reactor loop", file: file, line: line)
    }

    public func preconditionNotInEventLoop(file: StaticString, line: UInt) {
        precondition(!inEventLoop, "on the reactor loop", file: file, line: line)
    }

    public func shutdownGracefully(queue: DispatchQueue, _ callback: @escaping @Sendable (Error?) -> Void) {
        shared.withLockedValue { $0.stopping = true }
        wakeUp()
        let t = UncheckedBox(thread)
        thread = nil
        DispatchQueue.global().async {
            if let t = t.value { pthread_join(t, nil) }
            queue.async { callback(nil) }
        }
    }

    /// Stops the loop and waits for its thread (not from the loop itself).
    public func syncShutdown() {
        shared.withLockedValue { $0.stopping = true }
        wakeUp()
        if let t = thread {
            thread = nil
            pthread_join(t, nil)
        }
    }
}
#endif
