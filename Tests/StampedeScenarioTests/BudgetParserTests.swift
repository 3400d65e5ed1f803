import Testing
@testable import StampedeScenario

@Suite struct BudgetParserTests {
    @Test func expressions() throws {
        let b = try BudgetParser.parse(expression: "event_delivery.p999 < 2s")
        #expect(b.subject == .latency(metric: "event_delivery", stat: .percentile(99.9)) && b.limit == 2000)
        #expect(try BudgetParser.parse(expression: "errors.rate<=1%").limit == 0.01)
        #expect(try BudgetParser.parse(expression: "connect.failure_rate < 0.05").subject == .failureRate(operation: "connect"))
        #expect(try BudgetParser.parse(subject: "recovery.missed_events", value: "0").subject == .count(counter: "recovery.missed_events"))
    }

    @Test func mistakesAreRefused() {
        #expect(throws: BudgetParser.Failure.self) { try BudgetParser.parse(expression: "event_delivry.p99 < 5ms") }
        #expect(throws: BudgetParser.Failure.self) { try BudgetParser.parse(expression: "connect.p99 50ms") }
        #expect(throws: BudgetParser.Failure.self) { try BudgetParser.parse(expression: "connect.p99 < fast") }
    }
}
