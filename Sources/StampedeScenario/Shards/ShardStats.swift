import Foundation
import StampedeReports

/// The stats series of a sharded run as one process would have recorded it: per second, what
/// the shards expected added up (each shard's expectation minus the shared baseline it
/// includes), distinct users and workflows as the union of the shards' sets, against what
/// the one server said.
enum ShardStats {
    static let setFields: Set<String> = ["unique_users", "active_workflows"]

    struct Key: Hashable, Comparable {
        var t: Int
        var field: String
        static func < (a: Key, b: Key) -> Bool { a.t == b.t ? a.field < b.field : a.t < b.t }
    }

    struct Cell {
        var shards = 0
        var sum = 0
        var members: Set<String>?
        var observed = Int.min
    }

    static func merge(_ shards: [RunReport]) -> [StatsSample] {
        guard let start = shards.map(\.start).min() else { return [] }
        let common = shards.compactMap(\.shard?.statsBaseline).first
        var cells: [Key: Cell] = [:]
        for r in shards {
            let offset = Int(r.start.timeIntervalSince(start).rounded())
            let own = r.shard?.statsBaseline
            var current: [String: Set<String>] = [:]
            for s in r.statsSamples {
                if let m = s.members { current[s.field] = Set(m) }
                let key = Key(t: s.t + offset, field: s.field)
                var cell = cells[key] ?? Cell()
                cell.shards += 1
                cell.sum += s.expected - (own?.value(s.field) ?? 0)
                if setFields.contains(s.field), let set = current[s.field] {
                    cell.members = (cell.members ?? []).union(set)
                }
                cell.observed = max(cell.observed, s.observed)
                cells[key] = cell
            }
        }
        // A second some shard did not sample (its stats request failed, or it had ended) holds only
        // part of the expectation: left out, as a single run leaves out a second it could not sample.
        let sampling = shards.filter { !$0.statsSamples.isEmpty }.count
        return cells.keys.sorted().filter { cells[$0]!.shards == sampling }.map { k in
            let c = cells[k]!
            let expected = (c.members?.count ?? c.sum) + (common?.value(k.field) ?? 0)
            return StatsSample(t: k.t, expected: expected, observed: c.observed, field: k.field)
        }
    }

    /// After every shard's clients left: the last reading any shard took must equal the baseline.
    static func returnToBaseline(_ shards: [RunReport]) -> CheckResult {
        let name = CheckKind.statsReturnToBaseline.rawValue
        guard let before = shards.compactMap(\.shard?.statsBaseline).first else {
            return CheckResult(name: name, passed: false, evidence: ["no shard recorded a stats baseline"])
        }
        let readings = shards.compactMap { r -> (Date, StatsCounts)? in
            guard let at = r.shard?.statsAfterAt, let after = r.shard?.statsAfter else { return nil }
            return (at, after)
        }
        guard let last = readings.max(by: { $0.0 < $1.0 }) else {
            return CheckResult(name: name, passed: false, evidence: ["no shard read the stats after its clients left"])
        }
        let ok = last.1 == before
        func text(_ c: StatsCounts) -> String {
            "connections \(c.connections), users \(c.uniqueUsers), subscriptions \(c.subscriptions), active workflows \(c.activeWorkflows)"
        }
        return CheckResult(name: name, passed: ok,
                           evidence: ok ? [] : ["after the last shard ended: before \(text(before)), after \(text(last.1))"],
                           details: ["shards_read": .int(Int64(readings.count))])
    }
}
