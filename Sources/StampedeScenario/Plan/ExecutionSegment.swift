/// k6's execution segments: each machine runs the part `a:b` of the unit interval, and the
/// plan's indices (clients, retirements, workflows to publish) are striped over the segments of
/// one shared sequence so every stretch of the run is spread over all machines in proportion —
/// not "machine 1 runs the first third of the arrivals". With equal segments the stripe is
/// plain round-robin (`index % N == i`), which is what `--shard i/N` means.
public struct ExecutionSegment: Sendable, Equatable, CustomStringConvertible {
    public struct Failure: Error, CustomStringConvertible, Sendable { public var description: String }

    /// The boundaries of every machine's segment, 0 … 1, strictly increasing.
    public let sequence: [Fraction]
    /// Which segment of `sequence` this machine runs (0-based).
    public let index: Int
    /// One period of the stripe: `cycle[k % cycle.count]` is the segment owning index k.
    let cycle: [Int]

    public var count: Int { sequence.count - 1 }
    public var from: Fraction { sequence[index] }
    public var to: Fraction { sequence[index + 1] }
    public var description: String { "\(from):\(to)" }
    public var sequenceText: String { sequence.map(\.description).joined(separator: ",") }

    /// The whole run on one machine.
    public static let whole = try! ExecutionSegment(sequence: [.zero, .one], index: 0)

    /// `--shard i/N`: segment i of N equal ones.
    public static func shard(_ i: Int, of n: Int) throws -> ExecutionSegment {
        guard n >= 1, (0..<n).contains(i) else { throw Failure(description: "--shard expects i/N with 0 <= i < N, got \(i)/\(n)") }
        return try ExecutionSegment(sequence: (0...n).map { Fraction($0, n) }, index: i)
    }

    /// `--segment a:b` with an optional `--segment-sequence 0,a,b,…,1`. Without a sequence it is
    /// 0,a,b,1: every machine must then be given the same sequence for the stripes to interlock.
    public static func parse(segment text: String, sequence seqText: String?) throws -> ExecutionSegment {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = Fraction(String(parts[0])), let b = Fraction(String(parts[1])), a < b, b <= .one else {
            throw Failure(description: "--segment expects a:b with 0 <= a < b <= 1 (fractions 1/3, decimals 0.25 or percentages 25%), got '\(text)'")
        }
        var seq: [Fraction]
        if let seqText {
            let items = seqText.split(separator: ",").map { Fraction(String($0).trimmingSpaces) }
            guard items.allSatisfy({ $0 != nil }) else { throw Failure(description: "--segment-sequence '\(seqText)' holds something that is not a fraction") }
            seq = items.map { $0! }
            if seq.first != .zero { seq.insert(.zero, at: 0) }
            if seq.last != .one { seq.append(.one) }
        } else {
            seq = [.zero, a, b, .one]
        }
        var dedup: [Fraction] = []
        for f in seq where dedup.last != f { dedup.append(f) }
        guard zip(dedup, dedup.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw Failure(description: "--segment-sequence must increase from 0 to 1, got \(dedup.map(\.description).joined(separator: ","))")
        }
        guard let i = dedup.firstIndex(of: a), i + 1 < dedup.count, dedup[i + 1] == b else {
            throw Failure(description: "--segment \(text) is not one of the segments of the sequence \(dedup.map(\.description).joined(separator: ","))")
        }
        return try ExecutionSegment(sequence: dedup, index: i)
    }

    init(sequence: [Fraction], index: Int) throws {
        self.sequence = sequence
        self.index = index
        // One period holds `lcm(denominators)` slots; segment s owns (b − a)·L of them.
        let period = sequence.reduce(1) { lcm($0, $1.denominator) }
        guard period <= 100_000 else { throw Failure(description: "the segment sequence needs a stripe of \(period) slots; use simpler fractions") }
        let weights = zip(sequence, sequence.dropFirst()).map { ($1.numerator * (period / $1.denominator)) - ($0.numerator * (period / $0.denominator)) }
        cycle = Self.smoothCycle(weights)
    }

    /// Whether this machine runs plan index `k`.
    public func owns(_ k: Int) -> Bool { cycle[k % cycle.count] == index }

    /// Of the first `n` indices, how many are this machine's.
    public func share(of n: Int) -> Int {
        let full = n / cycle.count
        let mine = cycle.reduce(0) { $0 + ($1 == index ? 1 : 0) }
        return full * mine + cycle.prefix(n % cycle.count).reduce(0) { $0 + ($1 == index ? 1 : 0) }
    }

    /// Smooth weighted round-robin over one period: weights 2:1 give 0 1 0, never 0 0 1, so each
    /// stretch of the plan is spread over all segments (ties go to the lower segment).
    static func smoothCycle(_ weights: [Int]) -> [Int] {
        let total = weights.reduce(0, +)
        var current = weights.map { _ in 0 }
        var out: [Int] = []
        out.reserveCapacity(total)
        for _ in 0..<total {
            for s in weights.indices { current[s] += weights[s] }
            let best = current.indices.max { current[$0] < current[$1] || (current[$0] == current[$1] && $0 > $1) }!
            current[best] -= total
            out.append(best)
        }
        return out
    }
}

/// An exact rational in [0, 1], written `1/3`, `0.25` or `25%`.
public struct Fraction: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let numerator: Int
    public let denominator: Int

    public static let zero = Fraction(0, 1)
    public static let one = Fraction(1, 1)

    public init(_ n: Int, _ d: Int) {
        let g = max(1, gcd(abs(n), abs(d)))
        numerator = n / g
        denominator = d / g
    }

    public init?(_ text: String) {
        guard let (n, d) = Self.parse(text.trimmingSpaces) else { return nil }
        self.init(n, d)
        guard numerator >= 0, self <= .one else { return nil }
    }

    private static func parse(_ t: String) -> (Int, Int)? {
        if t.hasSuffix("%") {
            guard let (n, d) = parse(String(t.dropLast())) else { return nil }
            return (n, d * 100)
        }
        if let slash = t.firstIndex(of: "/") {
            guard let n = Int(t[..<slash]), let d = Int(t[t.index(after: slash)...]), d > 0 else { return nil }
            return (n, d)
        }
        if let dot = t.firstIndex(of: ".") {
            let whole = t[..<dot], frac = t[t.index(after: dot)...]
            guard frac.count <= 6, let w = Int(whole.isEmpty ? "0" : whole), let f = Int(frac.isEmpty ? "0" : frac) else { return nil }
            var d = 1
            for _ in 0..<frac.count { d *= 10 }
            return (w * d + f, d)
        }
        return Int(t).map { ($0, 1) }
    }

    public static func < (a: Fraction, b: Fraction) -> Bool { a.numerator * b.denominator < b.numerator * a.denominator }
    public var description: String { denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)" }
    public var doubleValue: Double { Double(numerator) / Double(denominator) }
}

func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
func lcm(_ a: Int, _ b: Int) -> Int { a / gcd(a, b) * b }

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
