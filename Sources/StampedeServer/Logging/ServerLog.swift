import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The server's structured log (swift-log): refused connections, slow consumers, stalled
/// writers and failed requests — what an operator asks about after an incident. Each kind is
/// throttled to a few lines per second, the rest summed into one "suppressed" line: an attack
/// or a mass reconnect must not turn the log into the bottleneck (the counters in `/metrics`
/// stay exact either way).
public final class ServerLog: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case connectRefused = "connect_refused"
        case slowConsumer = "slow_consumer"
        case writeStall = "write_stall"
        case requestFailed = "request_failed"
    }

    public let logger: Logger
    /// Lines per kind per second before the rest are only counted.
    let linesPerSecond: Int
    private let windows = NIOLockedValueBox<[Kind: Window]>([:])

    struct Window {
        var second: UInt64
        var written = 0
        var suppressed = 0
    }

    public init(logger: Logger = Logger(label: "stampede.server"), linesPerSecond: Int = 5) {
        self.logger = logger
        self.linesPerSecond = linesPerSecond
    }

    public func log(_ kind: Kind, level: Logger.Level, _ message: @autoclosure () -> Logger.Message,
                    _ metadata: @autoclosure () -> Logger.Metadata = [:]) {
        guard logger.logLevel <= level else { return }
        let now = UInt64(NIODeadline.now().uptimeNanoseconds / 1_000_000_000)
        let (write, carried) = admit(kind, second: now)
        if carried > 0 {
            logger.log(level: level, "\(carried) more \(kind.rawValue) line(s) suppressed in the previous second(s)",
                       metadata: ["kind": .string(kind.rawValue), "suppressed": .stringConvertible(carried)])
        }
        guard write else { return }
        var m = metadata()
        m["kind"] = .string(kind.rawValue)
        logger.log(level: level, message(), metadata: m)
    }

    /// Whether this line may be written, and how many were suppressed in an earlier window.
    func admit(_ kind: Kind, second: UInt64) -> (write: Bool, carried: Int) {
        windows.withLockedValue { all in
            var w = all[kind] ?? Window(second: second)
            var carried = 0
            if w.second != second {
                carried = w.suppressed
                w = Window(second: second)
            }
            let write = w.written < linesPerSecond
            if write { w.written += 1 } else { w.suppressed += 1 }
            all[kind] = w
            return (write, carried)
        }
    }
}
