import Foundation

/// The load model as a pure value: phases → intended start times, no clock involved.
/// (Gatling's injector idea: a lazy list of start times a dispatcher plays against the real clock.)
public struct LoadPlan: Sendable {
    public struct PhaseWindow: Sendable, Equatable {
        public var name: String
        public var start: Double
        public var end: Double
    }

    public let phases: [Phase]
    public let windows: [PhaseWindow]
    /// This machine's part of the plan (the whole of it unless sharded).
    public let segment: ExecutionSegment
    public var shard: Int { segment.index }
    public var shardCount: Int { segment.count }

    public init(phases: [Phase], shard: Int = 0, of shardCount: Int = 1) {
        self.init(phases: phases, segment: (try? ExecutionSegment.shard(shard, of: max(1, shardCount))) ?? .whole)
    }

    public init(phases: [Phase], segment: ExecutionSegment) {
        self.phases = phases
        self.segment = segment
        var t = 0.0
        windows = phases.map { p in
            defer { t += p.duration }
            return PhaseWindow(name: p.name, start: t, end: t + p.duration)
        }
    }

    public var duration: Double { windows.last?.end ?? 0 }

    public func phaseIndex(at t: Double) -> Int? {
        windows.firstIndex { t >= $0.start && t < $0.end }
    }

    /// Closed-model concurrency intended at `t` (all shards together).
    public func targetConcurrency(at t: Double) -> Int {
        var level = 0
        for (i, p) in phases.enumerated() {
            let w = windows[i]
            guard t >= w.start else { break }
            switch p.load {
            case .closed(let from, let to):
                let f = from ?? level
                let progress = min(1, (t - w.start) / p.duration)
                level = t >= w.end ? to : f + Int((Double(to - f) * progress).rounded(.down))
            case .open, .hold: break
            }
        }
        return level
    }

    /// Every plan event of this shard, in time order. Open arrivals can be many; the
    /// sequence is lazy so a 10-minute 1,000/s phase costs nothing up front.
    public func events() -> PlanEventSequence { PlanEventSequence(plan: self) }

    /// Intended arrival offsets within one open phase with a linear rate ramp:
    /// the k-th arrival is where the cumulative count a·t + (b−a)·t²/(2T) reaches k.
    public static func arrivalTime(_ k: Int, fromRate a: Double, toRate b: Double, duration T: Double) -> Double? {
        let n = Double(k)
        let total = (a + b) / 2 * T
        guard n < total - 1e-9 else { return nil }
        let slope = (b - a) / T
        if abs(slope) < 1e-12 { return a > 0 ? n / a : nil }
        // slope/2·t² + a·t − n = 0
        let disc = a * a + 2 * slope * n
        guard disc >= 0 else { return nil }
        let t = (-a + disc.squareRoot()) / slope
        return t >= 0 && t < T ? t : nil
    }
}

/// Lazily walks the phases producing start/retire events; indices are global and the
/// segment's stripe is applied last, so shards partition one plan exactly.
public struct PlanEventSequence: Sequence, IteratorProtocol, Sendable {
    let plan: LoadPlan
    var phase = 0
    var level = 0
    var nextIndex = 0
    var pending: [PlanEvent] = []
    var pendingPos = 0
    var openK = 0
    /// Retirements are striped over the segments, like starts.
    var retireSerial = 0

    init(plan: LoadPlan) { self.plan = plan }

    public mutating func next() -> PlanEvent? {
        while true {
            if pendingPos < pending.count {
                let e = pending[pendingPos]
                pendingPos += 1
                if case .start(let s) = e, !plan.segment.owns(s.index) { continue }
                if case .retire = e {
                    retireSerial += 1
                    if !plan.segment.owns(retireSerial - 1) { continue }
                }
                return e
            }
            if phase < plan.phases.count, case .open(let a, let b) = plan.phases[phase].load {
                let w = plan.windows[phase]
                if let t = LoadPlan.arrivalTime(openK, fromRate: a, toRate: b, duration: plan.phases[phase].duration) {
                    openK += 1
                    let idx = nextIndex
                    nextIndex += 1
                    pending = [.start(PlannedStart(index: idx, at: w.start + t, phase: phase, open: true))]
                    pendingPos = 0
                    continue
                }
                openK = 0
                phase += 1
                continue
            }
            guard phase < plan.phases.count else { return nil }
            pending = closedEvents(phase)
            pendingPos = 0
            phase += 1
        }
    }

    mutating func closedEvents(_ i: Int) -> [PlanEvent] {
        let p = plan.phases[i]
        let w = plan.windows[i]
        guard case .closed(let fromOpt, let to) = p.load else { return [] }
        var out: [PlanEvent] = []
        let from = fromOpt ?? level
        if from > level {
            for _ in level..<from { out.append(.start(PlannedStart(index: nextIndex, at: w.start, phase: i, open: false))); nextIndex += 1 }
        } else if from < level {
            for _ in from..<level { out.append(.retire(count: 1, at: w.start, phase: i)) }
        }
        if to > from {
            let n = to - from
            for k in 0..<n {
                out.append(.start(PlannedStart(index: nextIndex, at: w.start + p.duration * Double(k) / Double(n), phase: i, open: false)))
                nextIndex += 1
            }
        } else if to < from {
            let n = from - to
            for k in 0..<n { out.append(.retire(count: 1, at: w.start + p.duration * Double(k + 1) / Double(n), phase: i)) }
        }
        level = to
        return out
    }
}
