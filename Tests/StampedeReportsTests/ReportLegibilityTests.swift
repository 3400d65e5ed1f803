import Foundation
import Testing
@testable import StampedeReports

/// Issue 15 item 6 (the parts done): the banner names what failed, a run that could not start
/// says so instead of empty tables and charts, and strict budgets stay strict.
@Suite(.serialized) final class ReportLegibilityTests {
    @Test func testTheBannerNamesTheFirstFailedCheckAndBudget() {
        var r = GoldenFixture.report()
        r.checks = [CheckResult(name: "ordering", passed: true),
                    CheckResult(name: "isolation", passed: false, evidence: ["client 3 saw workflow w9"])]
        r.budgets = [BudgetResult(expression: "event_delivery.p99 < 50ms", limit: 50, actual: 72.5, comparison: "<", passed: false)]
        r.refreshVerdict()
        let html = HTMLReportRenderer.render(r)
        let banner = html.components(separatedBy: "</header>")[0]
        #expect(banner.contains("check isolation failed: client 3 saw workflow w9"), "\(banner)")
        #expect(banner.contains("budget event_delivery.p99 &lt; 50ms = 72.5 ms &lt; 50 ms: FAILED"), "\(banner)")
    }

    @Test func testARunThatCouldNotStartSaysSo() {
        let r = RunReport(scenarioName: "s", environment: GoldenFixture.report().environment,
                          target: TargetInfo(url: "http://127.0.0.1:1", embedded: false), start: Date(), end: Date(),
                          verdict: .error, abortReason: "target http://127.0.0.1:1 is unreachable (…)")
        let html = HTMLReportRenderer.render(r)
        #expect(html.contains("id=\"not-started\""))
        #expect(html.contains("could not start: target http://127.0.0.1:1 is unreachable"))
        #expect(!(html.contains("No budgets in this scenario")))
        #expect(!(html.contains("data-chart=")))
    }

    @Test func testStrictComparisonsAreKeptAndJudgedStrictly() {
        #expect(!(BudgetResult.evaluate(expression: "x < 5", limit: 5, actual: 5, comparison: "<").passed))
        #expect(BudgetResult.evaluate(expression: "x <= 5", limit: 5, actual: 5, comparison: "<=").passed)
        #expect(!(BudgetResult.evaluate(expression: "r > 5", limit: 5, actual: 5, comparison: ">").passed))
        #expect(BudgetText.describe(BudgetResult.evaluate(expression: "x < 5", limit: 5, actual: 4, comparison: "<")).contains("4 ms < 5 ms"))
    }
}
