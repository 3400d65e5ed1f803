import Testing
@testable import StampedeScenario

/// The per-event figures are typed fields, handed over under the report's names.
struct LoopRecorderTests {
    @Test func typedPerEventFiguresFoldIntoTheNamedCountersAndHistograms() {
        let rec = LoopRecorder()
        for _ in 0..<4 { rec.eventReceived() }
        rec.count("events_received")  // a named count of the same figure adds up
        for m in [10, 20, 30] as [UInt64] { rec.recordDelivery(micros: m, replayed: false) }
        rec.recordDelivery(micros: 0, replayed: true)
        rec.record(MetricName.eventDelivery, micros: 40)
        let second = rec.rotate()
        #expect(second.counters["events_received"] == 5)
        #expect(second.histograms[MetricName.eventDelivery]?.count == 4)
        #expect(second.histograms[MetricName.eventReplay]?.count == 1)
        #expect(second.histograms[MetricName.eventReplay]?.valueAtPercentile(100) == 1, "latencies floor at 1 µs")
        let next = rec.rotate()
        #expect(next.counters["events_received"] == nil, "nothing recorded: no key, as before")
        #expect(next.histograms.isEmpty)
    }
}
