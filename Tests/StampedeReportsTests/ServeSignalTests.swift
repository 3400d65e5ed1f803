import Foundation
import Testing

/// `stampede serve` hands SIGINT/SIGTERM to swift-service-lifecycle's graceful shutdown: the
/// server closes its sessions and exits 0, as its --help says.
@Suite(.serialized) final class ServeSignalTests {
    @Test func testSIGTERMAndSIGINTShutDownGracefullyWithExitZero() throws {
        for sig in [SIGTERM, SIGINT] {
            let p = try CLIProcess(["serve", "--port", "0", "--jwt-secret", "s", "--log-level", "warning"])
            let out = p.waitFor(seconds: 20) { $0.contains("listening on") }
            #expect(out.contains("listening on http://127.0.0.1:"), "\(out)")
            p.signal(sig)
            #expect(p.waitForExit(seconds: 10) == 0, "signal \(sig): \(p.output)")
        }
    }
}
