import Foundation

/// Durations and rates as people write them in load-test files (k6/Artillery spelling).
enum DurationText {
    /// "250ms", "10s", "1.5m", "2h", "500us", or a bare number of seconds → seconds.
    static func seconds(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("us", 0.000_001), ("µs", 0.000_001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where t.hasSuffix(suffix) {
            guard let v = Double(t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), v >= 0 else { return nil }
            return v * scale
        }
        guard let v = Double(t), v >= 0 else { return nil }
        return v
    }

    /// "200/s", "30/m", "5/h" or a bare number (per second) → events per second.
    static func perSecond(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = t.split(separator: "/", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let n = Double(parts[0]), n >= 0 else { return nil }
        guard parts.count == 2 else { return n }
        switch parts[1] {
        case "s", "sec", "second": return n
        case "m", "min", "minute": return n / 60
        case "h", "hour": return n / 3600
        default: return nil
        }
    }

    /// Human spelling for summaries.
    static func format(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds == seconds.rounded() { return "\(Int(seconds))s" }
        return String(format: "%.1fs", seconds)
    }
}
