import StampedeClient
import Testing
@testable import StampedeScenario

/// The clock-offset estimate reads the server's `ts` (ms, fraction allowed) as exact µs, from
/// the same single scan of the frame that yields everything else the checks need.
@Suite struct ClockScanTests {
    @Test func readsMillisecondsWithAFractionAsMicroseconds() throws {
        let big = String(repeating: "x", count: 50_000)
        let raw = #"["e",{"workflow_id":"w1","seq":7,"payload":""# + big + #"","ts":1796157000123.4567,"sent_at_us":1}]"#
        #expect(try #require(EventScanner.scan(raw[...])).tsMicros == 1_796_157_000_123_456)
        #expect(try #require(EventScanner.scan(#"["e",{"ts":1796157000123}]"#[...])).tsMicros == 1_796_157_000_123_000)
        #expect(try #require(EventScanner.scan(#"["e",{"ts":"soon"}]"#[...])).tsMicros == nil)
        #expect(try #require(EventScanner.scan(#"["e",{"seq":1}]"#[...])).tsMicros == nil)
    }

    @Test func oneEventInEightFeedsTheEstimate() {
        let rec = LoopRecorder()
        #expect((0..<64).filter { _ in rec.clockTick() }.count == 8)
    }
}
