import Foundation
import Testing
@testable import StampedeReports
import StampedeTestSupport

@Suite(.serialized) final class LatencyHistogramTests {
    @Test func testMergeEqualsRecordingEverythingIntoOne() {
        var rng = SeededRandom(seed: 7)
        var whole = LatencyHistogram(), a = LatencyHistogram(), b = LatencyHistogram()
        for i in 0..<20_000 {
            let v = rng.next() % 5_000_000
            whole.record(v)
            if i % 3 == 0 { a.record(v) } else { b.record(v) }
        }
        #expect(a != whole)
        a.merge(b)
        #expect(a == whole)
        #expect(a.count == 20_000)
        for p in [50.0, 90, 99, 99.9, 100] {
            #expect(a.valueAtPercentile(p) == whole.valueAtPercentile(p))
        }
    }

    @Test func testCodableRoundTripIsLossless() throws {
        var h = LatencyHistogram()
        var rng = SeededRandom(seed: 9)
        for _ in 0..<5_000 { h.record(rng.next() % 10_000_000) }
        h.record(0)
        h.record(90_000_000)  // clamped
        let data = try JSONEncoder().encode(h)
        let back = try JSONDecoder().decode(LatencyHistogram.self, from: data)
        #expect(back == h)
        #expect(back.clampedCount == 1)
        #expect(back.min == 0)
        #expect(back.max == h.max)
        #expect(back.mean == h.mean)
        #expect(data.count < 20_000, "the sparse encoding must stay far below the 17k-counter array")
    }

    @Test func testValuesAboveTheRangeAreClampedNotDropped() {
        var h = LatencyHistogram(highestTrackableMicros: 1_000)
        h.record(500)
        h.record(5_000_000)
        #expect(h.count == 2)
        #expect(h.clampedCount == 1)
        #expect(h.valuesEquivalentForTest(h.max, 1_000))
    }

    @Test func testTinyRangesDoNotTrap() {
        var h = LatencyHistogram(highestTrackableMicros: 0)
        h.record(1)
        h.record(10)
        #expect(h.count == 2)
    }

    @Test func testEmptyHistogramReportsZeros() throws {
        let h = LatencyHistogram()
        #expect(h.min == 0)
        #expect(h.max == 0)
        #expect(h.valueAtPercentile(99) == 0)
        #expect(h.percentileDistribution().isEmpty)
        let back = try JSONDecoder().decode(LatencyHistogram.self, from: JSONEncoder().encode(h))
        #expect(back == h)
    }

    @Test func testPercentilesAreWithinThreeSignificantDigits() {
        var h = LatencyHistogram()
        for v in 1...100_000 { h.record(UInt64(v)) }
        let p50 = Double(h.valueAtPercentile(50)), p99 = Double(h.valueAtPercentile(99))
        #expect(abs((p50) - (50_000)) <= 50_000 * 0.001 + 1)
        #expect(abs((p99) - (99_000)) <= 99_000 * 0.001 + 1)
    }

    @Test func testDecodingRejectsACountThatDoesNotMatchTheBuckets() throws {
        var h = LatencyHistogram()
        h.record(1_000)
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(h)) as! [String: Any]
        object["count"] = 2
        let tampered = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: (any Error).self) { _ = try JSONDecoder().decode(LatencyHistogram.self, from: tampered) }
    }

    @Test func testSummaryIsInMillisecondsFromMicroseconds() {
        var h = LatencyHistogram()
        for _ in 0..<10 { h.record(2_000) }
        let s = MetricSummary(histogram: h)
        #expect(s.count == 10)
        #expect(abs((s.p50) - (2.0)) <= 0.002)
        #expect(abs((s.max) - (2.0)) <= 0.002)
        #expect(s.statistic("p99.9") == s.p999)
        #expect(s.statistic("p42") != nil)
        #expect(s.statistic("bogus") == nil)
    }
}

extension LatencyHistogram {
    func valuesEquivalentForTest(_ a: UInt64, _ b: UInt64) -> Bool { storage.valuesAreEquivalent(a, b) }
}

@Suite(.serialized) final class LatencyHistogramPrecisionTests {
    /// HdrHistogram clamps percentiles to the raw min and max, so those must survive JSON.
    @Test func testDecodedPercentilesMatchTheOriginalExactly() throws {
        for seed in 1...30 as ClosedRange<UInt64> {
            var rng = SeededRandom(seed: seed)
            var h = LatencyHistogram()
            for _ in 0..<(1 + Int(rng.next() % 60)) { h.record(1_000 + rng.next() % 200_000) }
            let back = try JSONDecoder().decode(LatencyHistogram.self, from: JSONEncoder().encode(h))
            for p in [0.0, 1, 50, 90, 99, 99.9, 100] {
                #expect(back.valueAtPercentile(p) == h.valueAtPercentile(p), "seed \(seed) p\(p)")
            }
            #expect(back.min == h.min)
            #expect(back == h)
        }
    }
}
