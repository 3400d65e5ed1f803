import Foundation
import StampedeJSON
import XCTest
@testable import StampedeReports

/// schemas/report.schema.json must describe exactly what the writer produces.
final class ReportSchemaTests: XCTestCase {
    func validator() throws -> MiniSchemaValidator {
        MiniSchemaValidator(root: try JSONParser.parse(String(contentsOf: FixturePaths.schema, encoding: .utf8)))
    }

    func testGoldenReportIsValid() throws {
        let golden = try JSONParser.parse(String(contentsOf: FixturePaths.goldenReport, encoding: .utf8))
        XCTAssertEqual(try validator().validate(golden), [])
    }

    func testMergedAbortedReportIsValid() throws {
        let run = SyntheticRun(seconds: 4, shards: 2)
        var a = run.report(shards: [0])
        a.verdict = .aborted
        a.abortReason = "abort_on_fail"
        a.budgets.append(BudgetResult.evaluate(expression: "throughput.events_received", limit: 10, actual: nil,
                                               unit: "per_second", comparison: ">="))
        let merged = try ReportMerger.merge([a, run.report(shards: [1])])
        let json = try JSONParser.parse(Array(merged.jsonData()))
        XCTAssertEqual(try validator().validate(json), [])
    }

    func testTheValidatorRejectsUndocumentedFields() throws {
        guard case .object(var object) = try JSONParser.parse(Array(GoldenFixture.report().jsonData())) else {
            return XCTFail("report.json is not an object")
        }
        object["surprise"] = .bool(true)
        object["verdict"] = .string("maybe")
        let errors = try validator().validate(.object(object))
        XCTAssertTrue(errors.contains { $0.contains("unexpected property surprise") }, "\(errors)")
        XCTAssertTrue(errors.contains { $0.contains("not in enum") }, "\(errors)")
    }
}
