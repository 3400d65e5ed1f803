import Foundation
import Testing

@testable import StampedeServer

/// Session ids: 20 base64url characters, 60 bits of each of two CSPRNG
/// draws, six bits per character, no two alike.
@Suite(.serialized) final class SessionIDTests {
    @Test func testTwentyBase64URLCharacters() {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for _ in 0..<1_000 {
            let id = SessionID.make()
            #expect(id.utf8.count == 20)
            #expect(id.allSatisfy(allowed.contains), "\(id)")
        }
    }

    @Test func testSixBitsPerCharacterLowBitsFirst() {
        #expect(SessionID.make(high: 0, low: 0) == String(repeating: "A", count: 20))
        #expect(SessionID.make(high: .max, low: .max) == String(repeating: "_", count: 20))
        // 1, 2, 3 in the first three six-bit groups of the high draw; 63 in the low draw's first.
        #expect(SessionID.make(high: 1 | 2 << 6 | 3 << 12, low: 63) == "BCDAAAAAAA" + "_AAAAAAAAA")
    }

    @Test func testNoRepeatsAndEveryCharacterUsedInEveryPosition() {
        var seen = Set<String>()
        var perPosition = Array(repeating: Set<UInt8>(), count: 20)
        for _ in 0..<20_000 {
            let id = SessionID.make()
            #expect(seen.insert(id).inserted)
            for (i, c) in id.utf8.enumerated() { perPosition[i].insert(c) }
        }
        // 20,000 draws leave a given character unseen at a position with
        // probability (63/64)^20000 ≈ 1e-137: all 64 appear everywhere.
        for p in perPosition { #expect(p.count == 64) }
    }
}
