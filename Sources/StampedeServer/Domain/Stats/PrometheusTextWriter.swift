import Foundation

/// Writes the Prometheus text exposition format (version 0.0.4): one
/// `# HELP` and `# TYPE` per family, then its samples. Written by hand
/// rather than through a metrics library so a scrape reads the owners'
/// numbers directly (no second copy of every counter to keep in step) and
/// histograms can be the lock-free `AtomicHistogram`.
struct PrometheusTextWriter {
    enum Kind: String { case counter, gauge, histogram }

    typealias Labels = [(String, String)]

    private(set) var text = ""

    init() { text.reserveCapacity(8192) }

    mutating func family(_ name: String, _ kind: Kind, _ help: String) {
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(kind.rawValue)\n"
    }

    mutating func sample(_ name: String, _ labels: Labels = [], _ value: Double) {
        text += name
        text += Self.labelSet(labels)
        text += " "
        text += Self.number(value)
        text += "\n"
    }

    /// A one-sample family.
    mutating func single(_ name: String, _ kind: Kind, _ help: String, _ value: Double) {
        family(name, kind, help)
        sample(name, [], value)
    }

    /// `_bucket{…,le}` cumulative up to `+Inf`, then `_sum` and `_count`.
    /// The family line is written by the caller (once for every label set).
    mutating func histogram(_ name: String, _ labels: Labels = [], _ h: AtomicHistogram) {
        let r = h.read()
        for (bound, count) in zip(h.bounds, r.cumulative) {
            sample(name + "_bucket", labels + [("le", Self.number(bound))], Double(count))
        }
        sample(name + "_bucket", labels + [("le", "+Inf")], Double(r.count))
        sample(name + "_sum", labels, r.sumSeconds)
        sample(name + "_count", labels, Double(r.count))
    }

    static func labelSet(_ labels: Labels) -> String {
        guard !labels.isEmpty else { return "" }
        return "{" + labels.map { "\($0.0)=\"\(escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
    }

    /// Integers without a fraction (`3`, not `3.0`); others as Swift prints them.
    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }

    static func escapeLabel(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func escapeHelp(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}
