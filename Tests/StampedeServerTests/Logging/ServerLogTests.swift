import Logging
import NIOConcurrencyHelpers
@testable import StampedeServer
import StampedeConformance
import StampedeTestSupport
import Testing

/// The server logs what an operator asks about after an incident — refused connections, slow
/// consumers, failed requests — and a flood of them cannot flood the log.
@Suite struct ServerLogTests {
    /// Captures what the server logs, as swift-log hands it to a backend.
    final class Capture: Sendable {
        struct Line: Sendable { var level: Logger.Level; var message: String; var metadata: [String: String] }
        let lines = NIOLockedValueBox<[Line]>([])
        var logger: Logger {
            var l = Logger(label: "test.server") { _ in Handler(capture: self) }
            l.logLevel = .info
            return l
        }

        struct Handler: LogHandler {
            let capture: Capture
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .info
            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }
            func log(event: LogEvent) {
                let m = (event.metadata ?? [:]).mapValues { "\($0)" }
                capture.lines.withLockedValue { $0.append(Line(level: event.level, message: "\(event.message)", metadata: m)) }
            }
        }
    }

    @Test func aRefusedConnectIsLoggedWithItsCode() async throws {
        let capture = Capture()
        let h = try await HubServerHarness.start { $0.log = ServerLog(logger: capture.logger) }
        let ws = try await RawWebSocket.connect(port: h.port, group: h.clientGroup)
        _ = try await ws.nextText()
        try await ws.sendText(#"40{"token":"not-a-jwt"}"#)
        let reply = try await ws.nextText() ?? ""
        #expect(reply.hasPrefix("44"), "\(reply)")
        ws.close()
        await h.stop()
        let refused = capture.lines.withLockedValue { $0 }.filter { $0.metadata["kind"] == "connect_refused" }
        #expect(refused.count == 1)
        #expect(refused.first?.metadata["code"] == "token_malformed")
        #expect(refused.first?.level == .info)
    }

    @Test func aFloodIsThrottledAndTheRestSummed() {
        let log = ServerLog(logger: Logger(label: "unused"), linesPerSecond: 3)
        let admitted = (0..<10).map { _ in log.admit(.connectRefused, second: 7) }
        #expect(admitted.filter(\.write).count == 3)
        let next = log.admit(.connectRefused, second: 8)
        #expect(next.write && next.carried == 7, "the next second writes again and reports the 7 suppressed")
        #expect(log.admit(.slowConsumer, second: 8).write, "kinds are throttled apart")
    }
}
