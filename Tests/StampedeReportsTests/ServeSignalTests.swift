import Foundation
import XCTest

/// `stampede serve` hands SIGINT/SIGTERM to swift-service-lifecycle's graceful shutdown: the
/// server closes its sessions and exits 0, as its --help says.
final class ServeSignalTests: XCTestCase {
    func testSIGTERMAndSIGINTShutDownGracefullyWithExitZero() throws {
        for sig in [SIGTERM, SIGINT] {
            let p = try CLIProcess(["serve", "--port", "0", "--jwt-secret", "s", "--log-level", "warning"])
            let out = p.waitFor(seconds: 20) { $0.contains("listening on") }
            XCTAssertTrue(out.contains("listening on http://127.0.0.1:"), out)
            p.signal(sig)
            XCTAssertEqual(p.waitForExit(seconds: 10), 0, "signal \(sig): \(p.output)")
        }
    }
}
