import Foundation
import StampedeConformance
import StampedeServer
import StampedeTarget
import XCTest

/// Every MUST of PROTOCOL.md, over real sockets, by the contract scenarios
/// `stampede conformance` runs (scenarios/conformance/), against the
/// embedded server. One test per area, named after it.
final class ContractConformanceTests: XCTestCase {
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scenarios/conformance").path

    func run(_ file: String, allowWarnings: Bool = false) async throws {
        // What `stampede conformance` runs against when it has no --target.
        let server = try await EmbeddedServer.start(.fastTimers(secret: "contract-secret"))
        let results = await ContractScenarioSuite.run(file: "\(Self.scenarios)/\(file)", baseURL: server.baseURL,
                                                      jwtSecret: "contract-secret")
        try await server.shutdown()
        XCTAssertFalse(results.isEmpty, "\(file) reported no checks")
        for r in results where !r.passed { XCTFail(r.line) }
    }

    func testAuthRefusalsByCodeAndTokenPlacement() async throws { try await run("auth.yaml") }
    func testSubscribeAcksOwnershipAndIsolation() async throws { try await run("subscriptions.yaml") }
    func testOrderingAndTerminalUnderConcurrentPublishers() async throws { try await run("ordering.yaml") }
    func testRecoveryWithSinceAfterAbruptDrops() async throws { try await run("recovery.yaml") }
    func testConnectionStateRecoveryRestoresRooms() async throws { try await run("connection-state-recovery.should.yaml") }
    func testStatsTruthAfterCleanAbruptAndSilentDisconnects() async throws { try await run("stats.yaml") }
    func testRateLimitsEnforcedAndIsolated() async throws { try await run("rate-limits.yaml") }
}
