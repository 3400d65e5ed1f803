import Foundation

/// One wording of a budget's outcome, shared by the HTML table, junit.xml and the console.
public enum BudgetText {
    /// "event_delivery.p99 = 12.5 ms <= 50 ms: passed"
    public static func describe(_ b: BudgetResult) -> String {
        let actual = b.actual.map { "\(number($0)) \(b.unit)" } ?? "no data"
        return "\(b.expression) = \(actual) \(b.comparison) \(number(b.limit)) \(b.unit): \(b.passed ? "passed" : "FAILED")"
    }

    /// Up to 3 decimals, no trailing zeros: 12.5, 0.001, 1500.
    public static func number(_ v: Double) -> String {
        guard v.isFinite else { return "\(v)" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        var s = String(format: "%.3f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
