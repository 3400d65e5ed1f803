import Foundation
import StampedeJSON
import Testing
@testable import StampedeReports

/// schemas/report.schema.json must describe exactly what the writer produces.
@Suite(.serialized) final class ReportSchemaTests {
    func validator() throws -> MiniSchemaValidator {
        MiniSchemaValidator(root: try JSONParser.parse(String(contentsOf: FixturePaths.schema, encoding: .utf8)))
    }

    @Test func testGoldenReportIsValid() throws {
        let golden = try JSONParser.parse(String(contentsOf: FixturePaths.goldenReport, encoding: .utf8))
        #expect(try validator().validate(golden) == [])
    }

    @Test func testMergedAbortedReportIsValid() throws {
        let run = SyntheticRun(seconds: 4, shards: 2)
        var a = run.report(shards: [0])
        a.verdict = .aborted
        a.abortReason = "abort_on_fail"
        a.budgets.append(BudgetResult.evaluate(expression: "throughput.events_received", limit: 10, actual: nil,
                                               unit: "per_second", comparison: ">="))
        let merged = try ReportMerger.merge([a, run.report(shards: [1])])
        let json = try JSONParser.parse(Array(merged.jsonData()))
        #expect(try validator().validate(json) == [])
    }

    @Test func testShardAndMergedShardReportsAreValid() throws {
        let run = SyntheticRun(seconds: 4, shards: 2)
        var a = run.report(shards: [0])
        var info = ShardInfo(index: 0, count: 2, segment: "0:1/2", sequence: "0,1/2,1", deferredVerdict: true, host: "lab-s0")
        info.startAt = run.start
        info.startLagMs = 0.4
        info.clockOffsetMs = 0.21
        info.clockSamples = 120
        info.workflowsFile = "/run/prepared/workflows.json"
        info.statsBaseline = StatsCounts(connections: 0, uniqueUsers: 0, subscriptions: 0, activeWorkflows: 0)
        info.statsAfter = info.statsBaseline
        info.statsAfterAt = run.start.addingTimeInterval(5)
        a.shard = info
        a.statsSamples.append(StatsSample(t: 1, expected: 3, observed: 3, field: "unique_users"))
        a.statsSamples[a.statsSamples.count - 1].members = ["u0001", "u0002", "u0003"]
        #expect(try validator().validate(try JSONParser.parse(Array(a.jsonData()))) == [])
        #expect(try RunReport.decode(a.jsonData()) == a)
        var merged = try ReportMerger.merge([a, run.report(shards: [1])])
        merged.shards = [info, info]
        #expect(try validator().validate(try JSONParser.parse(Array(merged.jsonData()))) == [])
    }

    @Test func testTheValidatorRejectsUndocumentedFields() throws {
        guard case .object(var object) = try JSONParser.parse(Array(GoldenFixture.report().jsonData())) else {
            Issue.record("report.json is not an object")
            return
        }
        object["surprise"] = .bool(true)
        object["verdict"] = .string("maybe")
        let errors = try validator().validate(.object(object))
        #expect(errors.contains { $0.contains("unexpected property surprise") }, "\(errors)")
        #expect(errors.contains { $0.contains("not in enum") }, "\(errors)")
    }
}
