import Foundation
import StampedeReports
import StampedeScenario
import Testing

extension ClusterSuites {
    /// Issue 11's `scenarios/cluster/`, run through the engine against three real nodes on one
    /// PostgreSQL: clients spread over the nodes (`--target A,B,C`), each workflow published on its
    /// own node, every reconnect landing on the next node; ordering, isolation, recovery and the
    /// cluster-wide stats judged by the same checks as on one server.
    @Suite(.serialized) final class ClusterScenarioTests {
        static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scenarios/cluster")

        func run(_ file: String) async throws -> RunOutcome {
            let h = try await ClusterHarness.start(nodes: 3)
            var scenario = try ScenarioLoader.load(path: Self.scenarios.appendingPathComponent(file).path)
            // The checks are the subject here; the budgets (latency, and errors.rate, which counts
            // publishes the generator drops when it falls behind) are for `stampede run` on a
            // quiet machine: a test must not fail on how loaded the machine is.
            scenario.budgets = []
            scenario.errorRateCeiling = nil
            var o = RunOptions(baseURL: h.base(0), jwtSecret: ClusterHarness.secret, embedded: false)
            o.additionalBaseURLs = [h.base(1), h.base(2)]
            o.progress = .quiet
            o.eventLoopThreads = 2
            let outcome = await ScenarioRunner.run(scenario, options: o)
            await h.stop()
            return outcome
        }

        /// Errors that are not the generator's own overload (dropped publishes).
        func realErrors(_ o: RunOutcome) -> [String: Int] { o.report.errorsByCode.filter { $0.key != "publish_dropped" } }

        func failures(_ o: RunOutcome) -> String {
            (o.report.checks.filter { !$0.passed }.map { "\($0.name): \($0.evidence.prefix(3))" }
                + o.report.budgets.filter { !$0.passed }.map { "\($0.expression): \(String(describing: $0.actual))" }).joined(separator: "; ")
        }

        @Test func testFanOutAcrossThreeNodesKeepsOrderIsolationAndClusterStats() async throws {
            let o = try await run("fanout.yaml")
            #expect(o.exitCode == 0, "\(failures(o) + " \(o.report.errorsByCode)")")
            #expect(realErrors(o).isEmpty, "\(realErrors(o))")
            #expect(o.report.target.url.split(separator: ",").count == 3, "the report names every node")
            #expect(o.report.counters["checked.ordering"] ?? 0 > 1000)
        }

        @Test func testReconnectsOnAnotherNodeRecoverAndResume() async throws {
            let o = try await run("recovery.yaml")
            #expect(o.exitCode == 0, "\(failures(o) + " \(o.report.errorsByCode)")")
            #expect(realErrors(o).isEmpty, "\(realErrors(o))")
            #expect(o.report.counters["recovery.restored"] ?? 0 > 0, "sessions recovered on a node that did not hold them")
            #expect(o.report.counters["recovery.fallbacks"] ?? 0 == 0)
        }
    }
}
