import Testing
@testable import StampedeScenario

/// `WorkflowMap` keeps its first entry inline and the rest in a dictionary; whichever holds a
/// key, it must answer exactly as a plain `Dictionary` would.
@Suite struct WorkflowMapTests {
    @Test func theInlineEntryAndTheRestBehaveAsOneDictionary() {
        var m = WorkflowMap<Int>()
        #expect(m.isEmpty && m.count == 0 && m["a"] == nil)
        m["a"] = 1          // inline
        m["b"] = 2          // the rest
        m["a"] = 3          // updated in place
        #expect(m["a"] == 3 && m["b"] == 2 && m.count == 2)
        m["a"] = nil        // the inline slot empties while "b" stays in the rest
        #expect(m["a"] == nil && m["b"] == 2 && m.count == 1 && !m.isEmpty)
        m["b"] = 5          // still one entry for "b", not a second one inline
        #expect(m.count == 1 && m["b"] == 5)
        m["c"] = 6          // a new key takes the free inline slot
        #expect(m.count == 2 && Set(m.keys) == ["b", "c"])
        m.removeAll()
        #expect(m.isEmpty && m["b"] == nil && m["c"] == nil)
    }

    @Test func equalKeysMatchWhateverStringInstanceCarriesThem() {
        var m = WorkflowMap<Int>()
        let stored = String(repeating: "workflow-", count: 3)
        m[stored] = 7
        let arrived = String(decoding: Array(stored.utf8), as: UTF8.self)  // equal bytes, own storage
        #expect(m[arrived] == 7 && m.contains(arrived))
    }

    @Test func randomOperationsAgreeWithADictionary() {
        var rng = SplitMix(seed: 14)
        var m = WorkflowMap<Int>()
        var model: [String: Int] = [:]
        let keys = (0..<6).map { "wf-\($0)-" + String(repeating: "x", count: 20) }
        for step in 0..<5_000 {
            let k = keys[Int(rng.next() % UInt64(keys.count))]
            switch rng.next() % 10 {
            case 0: m[k] = nil; model[k] = nil
            case 1 where step % 97 == 0: m.removeAll(); model.removeAll()
            default: let v = Int(rng.next() % 1000); m[k] = v; model[k] = v
            }
            for key in keys { #expect(m[key] == model[key]) }
            #expect(m.count == model.count && m.isEmpty == model.isEmpty && Set(m.keys) == Set(model.keys))
        }
    }
}

/// A small deterministic generator, so a failure replays exactly.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
