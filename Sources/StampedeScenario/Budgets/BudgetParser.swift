import Foundation

/// Parses `metric.p99 < 50ms`, `errors.rate <= 0.01`, `event_delivery.rate >= 500/s`,
/// and the map form `event_delivery.p99: 50ms` (an upper bound, or a lower bound for `.rate`).
public enum BudgetParser {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { message }
    }

    /// `--budget` / list form: a full expression with a comparison.
    public static func parse(expression text: String) throws -> Budget {
        let ops = ["<=", ">=", "<", ">"]
        for op in ops {
            if let r = text.range(of: op) {
                let lhs = text[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
                let rhs = text[r.upperBound...].trimmingCharacters(in: .whitespaces)
                return try build(subject: lhs, comparison: Budget.Comparison(rawValue: op)!, limitText: rhs)
            }
        }
        throw Failure(message: "budget '\(text)' needs a comparison (<, <=, >, >=), e.g. event_delivery.p99 < 50ms")
    }

    /// Map form: `subject: value`, where value may itself start with a comparison.
    public static func parse(subject: String, value: String) throws -> Budget {
        let v = value.trimmingCharacters(in: .whitespaces)
        if let first = v.first, "<>".contains(first) { return try parse(expression: "\(subject) \(v)") }
        let s = try parseSubject(subject)
        let cmp: Budget.Comparison
        if case .throughput = s { cmp = .greaterOrEqual } else { cmp = .lessOrEqual }
        return try build(subject: subject, comparison: cmp, limitText: v)
    }

    static func build(subject text: String, comparison: Budget.Comparison, limitText: String) throws -> Budget {
        let subject = try parseSubject(text)
        let limit: Double
        switch subject {
        case .latency:
            guard let s = DurationText.seconds(limitText) else {
                throw Failure(message: "budget '\(text)': '\(limitText)' is not a duration (e.g. 50ms, 2s)")
            }
            limit = s * 1000
        case .errorRate, .failureRate:
            if limitText.hasSuffix("%"), let p = Double(limitText.dropLast()) { limit = p / 100 }
            else if let r = Double(limitText) { limit = r }
            else { throw Failure(message: "budget '\(text)': '\(limitText)' is not a ratio (0.01 or 1%)") }
        case .throughput:
            guard let r = DurationText.perSecond(limitText) else {
                throw Failure(message: "budget '\(text)': '\(limitText)' is not a rate (e.g. 500/s)")
            }
            limit = r
        case .count:
            guard let c = Double(limitText) else { throw Failure(message: "budget '\(text)': '\(limitText)' is not a number") }
            limit = c
        }
        return Budget(expression: "\(text) \(comparison.rawValue) \(limitText)", subject: subject, comparison: comparison, limit: limit)
    }

    static func parseSubject(_ text: String) throws -> Budget.Subject {
        guard let dot = text.lastIndex(of: ".") else {
            throw Failure(message: "budget subject '\(text)' must be metric.statistic, e.g. connect.p95 or errors.rate")
        }
        let metric = String(text[..<dot])
        let stat = String(text[text.index(after: dot)...])
        if metric == "errors" && stat == "rate" { return .errorRate }
        switch stat {
        case "failure_rate":
            guard failureOperations.contains(metric) else {
                throw Failure(message: "budget '\(text)': failure_rate applies to \(failureOperations.sorted().joined(separator: ", "))")
            }
            return .failureRate(operation: metric)
        case "rate":
            return .throughput(metric: metric)
        case "count", "missed_events", "violations":
            return .count(counter: text)
        case "mean": return .latency(metric: try latencyMetric(metric, text), stat: .mean)
        case "max": return .latency(metric: try latencyMetric(metric, text), stat: .max)
        case "min": return .latency(metric: try latencyMetric(metric, text), stat: .min)
        default:
            guard stat.hasPrefix("p"), let p = percentile(String(stat.dropFirst())) else {
                throw Failure(message: "budget '\(text)': unknown statistic '\(stat)' (p50…p999, mean, max, min, rate, failure_rate, count)")
            }
            return .latency(metric: try latencyMetric(metric, text), stat: .percentile(p))
        }
    }

    static func latencyMetric(_ m: String, _ text: String) throws -> String {
        guard MetricName.latencyMetrics.contains(m) else {
            let hint = YAMLCursor.closest(m, in: MetricName.latencyMetrics).map { " (did you mean '\($0)'?)" } ?? ""
            throw Failure(message: "budget '\(text)': unknown latency metric '\(m)'\(hint)")
        }
        return m
    }

    /// "99" → 99, "999" → 99.9, "9999" → 99.99, "99.5" → 99.5, "50" → 50.
    static func percentile(_ digits: String) -> Double? {
        if digits.contains(".") { return Double(digits).flatMap { (0...100).contains($0) ? $0 : nil } }
        guard let v = Double(digits), !digits.isEmpty else { return nil }
        if digits.count <= 2 { return v }
        guard digits.hasPrefix("99") else { return digits == "100" ? 100 : nil }
        return Double("99." + digits.dropFirst(2))
    }

    static let failureOperations: Set<String> = ["connect", "auth", "subscribe", "publish", "http", "reconnect", "workflow"]
}
