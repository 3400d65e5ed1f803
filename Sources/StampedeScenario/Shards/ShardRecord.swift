import Foundation
import StampedeJSON
import StampedeReports

/// What a shard writes about itself, and the placeholder for checks only the merge can judge.
enum ShardRecord {
    /// nil for an ordinary run: only a shard, a synchronized start or a deferred verdict needs it.
    static func info(_ o: RunOptions, segment: ExecutionSegment) -> ShardInfo? {
        guard segment.count > 1 || o.startAt != nil || o.deferVerdict else { return nil }
        var info = ShardInfo(index: segment.index, count: segment.count, segment: segment.description,
                             sequence: segment.sequenceText, deferredVerdict: o.deferVerdict,
                             host: ProcessInfo.processInfo.hostName)
        info.startAt = o.startAt
        info.workflowsFile = o.workflowsFile
        return info
    }

    /// One shard sees part of the server's sockets: stats checks are the merge's to judge.
    static func deferredCheck(_ kind: CheckKind) -> CheckResult {
        CheckResult(name: kind.rawValue, passed: true,
                    evidence: ["judged by `stampede report merge` over all shards (one shard sees part of the server's sockets)"],
                    details: ["deferred": .bool(true), "observations": .int(1)])
    }
}

/// `--start-at`: every shard's plan clock starts at the same instant, or the shard refuses.
public enum StartGate {
    enum Outcome: Equatable {
        /// Started; how late (seconds ≥ 0) the clock actually started.
        case started(lag: Double)
        /// Ready only this many seconds after the instant.
        case late(seconds: Double)
    }

    static func wait(until at: Date, tolerance: Double) async -> Outcome {
        let ahead = at.timeIntervalSinceNow
        if ahead < -tolerance { return .late(seconds: -ahead) }
        if ahead > 0.002 { try? await Task.sleep(nanoseconds: UInt64((ahead - 0.002) * 1e9)) }
        // The last couple of milliseconds without the scheduler's slack.
        while at.timeIntervalSinceNow > 0 { await Task.yield() }
        return .started(lag: max(0, -at.timeIntervalSinceNow))
    }

    /// RFC 3339 (`2026-12-01T21:30:00Z`, fractions and offsets allowed) or unix seconds (`1796160600.5`).
    public static func parse(_ text: String) -> Date? {
        if let s = Double(text), s > 0 { return Date(timeIntervalSince1970: s) }
        let f = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime]] {
            f.formatOptions = options
            if let d = f.date(from: text) { return d }
        }
        return nil
    }
}
