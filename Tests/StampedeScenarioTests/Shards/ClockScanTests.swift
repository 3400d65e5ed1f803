import Testing
@testable import StampedeScenario

/// The clock-offset estimate reads the server's `ts` (ms, fraction allowed) off the raw event.
@Suite struct ClockScanTests {
    @Test func readsMillisecondsWithAFractionAsMicroseconds() {
        let big = String(repeating: "x", count: 50_000)
        let raw = #"{"workflow_id":"w1","seq":7,"payload":""# + big + #"","ts":1796157000123.4567,"sent_at_us":1}"#
        #expect(RawScan.millisAsMicros(after: RawScan.tsKey, in: Substring(raw)) == 1_796_157_000_123_456)
        #expect(RawScan.millisAsMicros(after: RawScan.tsKey, in: #"{"ts":1796157000123}"#) == 1_796_157_000_123_000)
        #expect(RawScan.millisAsMicros(after: RawScan.tsKey, in: #"{"ts":"soon"}"#) == nil)
        #expect(RawScan.millisAsMicros(after: RawScan.tsKey, in: #"{"seq":1}"#) == nil)
    }

    @Test func oneEventInEightFeedsTheEstimate() {
        let rec = LoopRecorder()
        #expect((0..<64).filter { _ in rec.clockTick() }.count == 8)
    }
}
