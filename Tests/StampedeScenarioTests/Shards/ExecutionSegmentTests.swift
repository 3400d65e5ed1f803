import Testing
@testable import StampedeScenario

@Suite struct ExecutionSegmentTests {
    static let phases = [Phase(name: "ramp", duration: 10, load: .closed(from: 0, to: 40)),
                         Phase(name: "down", duration: 5, load: .closed(from: 40, to: 10)),
                         Phase(name: "open", duration: 10, load: .open(fromRate: 5, toRate: 20))]

    static func starts(_ plan: LoadPlan) -> [Int] {
        plan.events().compactMap { if case .start(let s) = $0 { s.index } else { nil } }
    }

    static func retires(_ plan: LoadPlan) -> Int {
        plan.events().reduce(0) { if case .retire = $1 { $0 + 1 } else { $0 } }
    }

    @Test func shardIsRoundRobin() throws {
        for i in 0..<3 {
            let seg = try ExecutionSegment.shard(i, of: 3)
            #expect((0..<30).filter(seg.owns) == (0..<30).filter { $0 % 3 == i })
            #expect(seg.description == "\(i == 0 ? "0" : "\(i)/3"):\(i == 2 ? "1" : "\(i + 1)/3")")
        }
    }

    @Test func shardsPartitionThePlanExactly() throws {
        let whole = Self.starts(LoadPlan(phases: Self.phases))
        var seen: [Int] = []
        var retired = 0
        for i in 0..<3 {
            let plan = LoadPlan(phases: Self.phases, segment: try .shard(i, of: 3))
            seen += Self.starts(plan)
            retired += Self.retires(plan)
        }
        #expect(seen.sorted() == whole.sorted())
        #expect(Set(seen).count == seen.count)
        #expect(retired == Self.retires(LoadPlan(phases: Self.phases)))
    }

    @Test func unequalSegmentsTakeTheirShareAndInterleave() throws {
        let small = try ExecutionSegment.parse(segment: "0:1/4", sequence: "0,1/4,1")
        let big = try ExecutionSegment.parse(segment: "25%:100%", sequence: "0,0.25,1")
        #expect(small.sequence == big.sequence && small.index == 0 && big.index == 1)
        let n = 400
        #expect((0..<n).filter(small.owns).count == 100 && small.share(of: n) == 100)
        #expect((0..<n).filter(big.owns).count == 300 && big.share(of: n) == 300)
        #expect((0..<n).allSatisfy { small.owns($0) != big.owns($0) })
        // Striped, not blocked: every window of four indices has exactly one of the small machine's.
        #expect(stride(from: 0, to: n, by: 4).allSatisfy { w in (w..<w + 4).filter(small.owns).count == 1 })
        // Three segments 1/6, 1/3, 1/2: each run of six indices holds 1, 2, 3 of them.
        let seq = "0,1/6,1/2,1"
        let segs = try ["0:1/6", "1/6:1/2", "1/2:1"].map { try ExecutionSegment.parse(segment: $0, sequence: seq) }
        for w in stride(from: 0, to: 60, by: 6) {
            #expect(segs.map { s in (w..<w + 6).filter(s.owns).count } == [1, 2, 3])
        }
    }

    @Test func badSegmentsAreRefused() {
        #expect(throws: ExecutionSegment.Failure.self) { try ExecutionSegment.shard(3, of: 3) }
        #expect(throws: ExecutionSegment.Failure.self) { try ExecutionSegment.parse(segment: "1/2:1/3", sequence: nil) }
        #expect(throws: ExecutionSegment.Failure.self) { try ExecutionSegment.parse(segment: "0:1/3", sequence: "0,1/4,1") }
        #expect(throws: ExecutionSegment.Failure.self) { try ExecutionSegment.parse(segment: "0:2", sequence: nil) }
        #expect(Fraction("0.125") == Fraction(1, 8) && Fraction("50%") == Fraction(1, 2) && Fraction("2/6") == Fraction(1, 3))
    }
}
