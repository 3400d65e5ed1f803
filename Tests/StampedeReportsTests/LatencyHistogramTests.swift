import Foundation
import XCTest
@testable import StampedeReports

final class LatencyHistogramTests: XCTestCase {
    func testMergeEqualsRecordingEverythingIntoOne() {
        var rng = SplitMix64(seed: 7)
        var whole = LatencyHistogram(), a = LatencyHistogram(), b = LatencyHistogram()
        for i in 0..<20_000 {
            let v = rng.next() % 5_000_000
            whole.record(v)
            if i % 3 == 0 { a.record(v) } else { b.record(v) }
        }
        XCTAssertNotEqual(a, whole)
        a.merge(b)
        XCTAssertEqual(a, whole)
        XCTAssertEqual(a.count, 20_000)
        for p in [50.0, 90, 99, 99.9, 100] {
            XCTAssertEqual(a.valueAtPercentile(p), whole.valueAtPercentile(p))
        }
    }

    func testCodableRoundTripIsLossless() throws {
        var h = LatencyHistogram()
        var rng = SplitMix64(seed: 9)
        for _ in 0..<5_000 { h.record(rng.next() % 10_000_000) }
        h.record(0)
        h.record(90_000_000)  // clamped
        let data = try JSONEncoder().encode(h)
        let back = try JSONDecoder().decode(LatencyHistogram.self, from: data)
        XCTAssertEqual(back, h)
        XCTAssertEqual(back.clampedCount, 1)
        XCTAssertEqual(back.min, 0)
        XCTAssertEqual(back.max, h.max)
        XCTAssertEqual(back.mean, h.mean)
        XCTAssertLessThan(data.count, 20_000, "the sparse encoding must stay far below the 17k-counter array")
    }

    func testValuesAboveTheRangeAreClampedNotDropped() {
        var h = LatencyHistogram(highestTrackableMicros: 1_000)
        h.record(500)
        h.record(5_000_000)
        XCTAssertEqual(h.count, 2)
        XCTAssertEqual(h.clampedCount, 1)
        XCTAssertTrue(h.valuesEquivalentForTest(h.max, 1_000))
    }

    func testTinyRangesDoNotTrap() {
        var h = LatencyHistogram(highestTrackableMicros: 0)
        h.record(1)
        h.record(10)
        XCTAssertEqual(h.count, 2)
    }

    func testEmptyHistogramReportsZeros() throws {
        let h = LatencyHistogram()
        XCTAssertEqual(h.min, 0)
        XCTAssertEqual(h.max, 0)
        XCTAssertEqual(h.valueAtPercentile(99), 0)
        XCTAssertTrue(h.percentileDistribution().isEmpty)
        let back = try JSONDecoder().decode(LatencyHistogram.self, from: JSONEncoder().encode(h))
        XCTAssertEqual(back, h)
    }

    func testPercentilesAreWithinThreeSignificantDigits() {
        var h = LatencyHistogram()
        for v in 1...100_000 { h.record(UInt64(v)) }
        let p50 = Double(h.valueAtPercentile(50)), p99 = Double(h.valueAtPercentile(99))
        XCTAssertEqual(p50, 50_000, accuracy: 50_000 * 0.001 + 1)
        XCTAssertEqual(p99, 99_000, accuracy: 99_000 * 0.001 + 1)
    }

    func testDecodingRejectsACountThatDoesNotMatchTheBuckets() throws {
        var h = LatencyHistogram()
        h.record(1_000)
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(h)) as! [String: Any]
        object["count"] = 2
        let tampered = try JSONSerialization.data(withJSONObject: object)
        XCTAssertThrowsError(try JSONDecoder().decode(LatencyHistogram.self, from: tampered))
    }

    func testSummaryIsInMillisecondsFromMicroseconds() {
        var h = LatencyHistogram()
        for _ in 0..<10 { h.record(2_000) }
        let s = MetricSummary(histogram: h)
        XCTAssertEqual(s.count, 10)
        XCTAssertEqual(s.p50, 2.0, accuracy: 0.002)
        XCTAssertEqual(s.max, 2.0, accuracy: 0.002)
        XCTAssertEqual(s.statistic("p99.9"), s.p999)
        XCTAssertNotNil(s.statistic("p42"))
        XCTAssertNil(s.statistic("bogus"))
    }
}

extension LatencyHistogram {
    func valuesEquivalentForTest(_ a: UInt64, _ b: UInt64) -> Bool { storage.valuesAreEquivalent(a, b) }
}

final class LatencyHistogramPrecisionTests: XCTestCase {
    /// HdrHistogram clamps percentiles to the raw min and max, so those must survive JSON.
    func testDecodedPercentilesMatchTheOriginalExactly() throws {
        for seed in 1...30 as ClosedRange<UInt64> {
            var rng = SplitMix64(seed: seed)
            var h = LatencyHistogram()
            for _ in 0..<(1 + Int(rng.next() % 60)) { h.record(1_000 + rng.next() % 200_000) }
            let back = try JSONDecoder().decode(LatencyHistogram.self, from: JSONEncoder().encode(h))
            for p in [0.0, 1, 50, 90, 99, 99.9, 100] {
                XCTAssertEqual(back.valueAtPercentile(p), h.valueAtPercentile(p), "seed \(seed) p\(p)")
            }
            XCTAssertEqual(back.min, h.min)
            XCTAssertEqual(back, h)
        }
    }
}
