import Foundation
import StampedeConformance
import StampedeServer
import StampedeTarget
import Testing

/// Every MUST of PROTOCOL.md, over real sockets, by the contract scenarios
/// `stampede conformance` runs (scenarios/conformance/), against the
/// embedded server. One test per area, named after it.
@Suite(.serialized) final class ContractConformanceTests {
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scenarios/conformance").path

    func run(_ file: String, allowWarnings: Bool = false) async throws {
        // What `stampede conformance` runs against when it has no --target.
        let server = try await EmbeddedServer.start(.fastTimers(secret: "contract-secret"))
        let results = await ContractScenarioSuite.run(file: "\(Self.scenarios)/\(file)", baseURL: server.baseURL,
                                                      jwtSecret: "contract-secret")
        try await server.shutdown()
        #expect(!(results.isEmpty), "\(file) reported no checks")
        for r in results where !r.passed { Issue.record("\(r.line)") }
    }

    @Test func testAuthRefusalsByCodeAndTokenPlacement() async throws { try await run("auth.yaml") }
    @Test func testSubscribeAcksOwnershipAndIsolation() async throws { try await run("subscriptions.yaml") }
    @Test func testOrderingAndTerminalUnderConcurrentPublishers() async throws { try await run("ordering.yaml") }
    @Test func testRecoveryWithSinceAfterAbruptDrops() async throws { try await run("recovery.yaml") }
    @Test func testConnectionStateRecoveryRestoresRooms() async throws { try await run("connection-state-recovery.should.yaml") }
    @Test func testStatsTruthAfterCleanAbruptAndSilentDisconnects() async throws { try await run("stats.yaml") }
    @Test func testRateLimitsEnforcedAndIsolated() async throws { try await run("rate-limits.yaml") }
}
