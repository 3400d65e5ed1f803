import Testing
@testable import StampedeScenario

@Suite struct LoadPlanTests {
    @Test func closedRampSpreadsStartsEvenly() {
        let plan = LoadPlan(phases: [Phase(name: "r", duration: 10, load: .closed(from: 0, to: 5))])
        let starts = plan.events().map(\.at)
        #expect(starts == [0, 2, 4, 6, 8])
        #expect(plan.targetConcurrency(at: 5) == 2)
        #expect(plan.targetConcurrency(at: 10) == 5)
    }

    @Test func rampDownRetires() {
        let plan = LoadPlan(phases: [Phase(name: "a", duration: 1, load: .closed(from: 4, to: 4)),
                                     Phase(name: "b", duration: 4, load: .closed(from: nil, to: 0))])
        let ev = Array(plan.events())
        #expect(ev.filter { if case .start = $0 { true } else { false } }.count == 4)
        #expect(ev.filter { if case .retire = $0 { true } else { false } }.map(\.at) == [2, 3, 4, 5])
    }

    @Test func openRampIntendedTimesFollowTheRate() {
        // 0 → 10/s over 10 s: 50 arrivals, the k-th where 0.5·t² = k.
        let plan = LoadPlan(phases: [Phase(name: "o", duration: 10, load: .open(fromRate: 0, toRate: 10))])
        let times = plan.events().map(\.at)
        #expect(times.count == 50)
        #expect(abs(times[8] - 4) < 1e-9)        // k = 8 → t = 4
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 })
        let constant = LoadPlan(phases: [Phase(name: "c", duration: 2, load: .open(fromRate: 5, toRate: 5))])
        #expect(constant.events().map(\.at) == (0..<10).map { Double($0) / 5 })
    }

    @Test func shardsPartitionThePlanExactly() {
        let phases = [Phase(name: "r", duration: 3, load: .closed(from: 0, to: 7)),
                      Phase(name: "o", duration: 2, load: .open(fromRate: 3, toRate: 3))]
        let whole = Set(LoadPlan(phases: phases).events().compactMap { if case .start(let s) = $0 { s.index } else { nil } })
        var union = Set<Int>()
        var total = 0
        for i in 0..<3 {
            let part = LoadPlan(phases: phases, shard: i, of: 3).events().compactMap { if case .start(let s) = $0 { s.index } else { nil } }
            total += part.count
            union.formUnion(part)
        }
        #expect(union == whole && total == whole.count)
    }

    @Test func dispatcherDrivenByAFakeClockStartsWhatIsDue() {
        // The plan is a pure value: "what is due by t" is a prefix of the sorted sequence.
        let plan = LoadPlan(phases: [Phase(name: "o", duration: 1, load: .open(fromRate: 100, toRate: 100))])
        var it = plan.events().makeIterator()
        var started = 0
        var pending = it.next()
        for tick in 0...20 {
            let fakeNow = Double(tick) / 20 + 1e-9
            while let e = pending, e.at <= fakeNow { started += 1; pending = it.next() }
            #expect(started == min(100, tick * 5 + 1))
        }
    }

    @Test func weightedGroupsInterleave() throws {
        let s = try ScenarioLoader.parse("""
        auth: { users: 4 }
        workflows: { count: 4 }
        phases: [{ duration: 1s, clients: 4 }]
        groups:
          - { name: a, weight: 3, steps: [connect] }
          - { name: b, weight: 1, steps: [connect] }
        """)
        let a = ClientAssignment(scenario: s)
        #expect((0..<8).map(a.group) == [0, 0, 1, 0, 0, 0, 1, 0] || (0..<4).map(a.group).filter { $0 == 1 }.count == 1)
        #expect((0..<4).map { a.ownWorkflow($0) } == [0, 1, 2, 3])
        #expect(a.otherWorkflow(0).map { a.ownerIndex(ofWorkflow: $0) } != 0)
    }
}
