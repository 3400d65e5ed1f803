import StampedeReports

/// One event loop's measurements for the current second. Touched only on its loop, so the
/// hot path records with one histogram write and one dictionary bump — no lock, no hop; the
/// figures of every delivered event go to typed fields (no String hashed per event).
final class LoopRecorder {
    var histograms: [String: LatencyHistogram] = [:]
    var counters: [String: UInt64] = [:]
    /// What the checks judged and found holding this second, by check.
    // `@exclusivity(unchecked)`: loop-confined per-delivery state (docs/ARCHITECTURE.md, "Threads and confinement").
    @exclusivity(unchecked) var observations = CheckObservations()
    var errors: [String: Int] = [:]
    /// Gauges owned by this loop's clients (current values, not per-second).
    var connected = 0
    var subscriptions = 0
    var subscribersByWorkflow: [String: Int] = [:]
    var connectedByUser: [String: Int] = [:]
    /// min over this loop's events of (local receive − server `ts`), µs; never reset (run-wide).
    @exclusivity(unchecked) var clockGapMinMicros = Int64.max
    @exclusivity(unchecked) var clockSamples = 0

    @exclusivity(unchecked) var clockTicks = 0

    /// Per-delivered-event figures, typed: counted as `events_received`, `event_delivery` and
    /// `event_replay` were through the dictionaries (which hashed the name per event), and
    /// folded into them under those names when the second is handed over.
    @exclusivity(unchecked) private var eventsReceived: UInt64 = 0
    @exclusivity(unchecked) private var eventDelivery: LatencyHistogram?
    @exclusivity(unchecked) private var eventReplay: LatencyHistogram?

    @inline(__always) func eventReceived() { eventsReceived &+= 1 }

    /// One delivered event's latency: `event_replay` when it arrived by replay.
    @inline(__always) func recordDelivery(micros: UInt64, replayed: Bool) {
        if replayed {
            if eventReplay == nil { eventReplay = LatencyHistogram() }
            eventReplay!.record(max(1, micros))
        } else {
            if eventDelivery == nil { eventDelivery = LatencyHistogram() }
            eventDelivery!.record(max(1, micros))
        }
    }

    /// The typed fields into the named dictionaries (only what was recorded, as before).
    private func foldTypedFigures() {
        if eventsReceived > 0 { counters["events_received", default: 0] &+= eventsReceived }
        for (name, h) in [(MetricName.eventDelivery, eventDelivery), (MetricName.eventReplay, eventReplay)] {
            guard let h else { continue }
            if histograms[name] == nil { histograms[name] = h } else { histograms[name]!.merge(h) }
        }
        eventsReceived = 0
        eventDelivery = nil
        eventReplay = nil
    }

    /// True for one delivered event in eight: the ones whose `ts` the clock estimate reads.
    @inline(__always) func clockTick() -> Bool {
        clockTicks &+= 1
        return clockTicks & 7 == 1
    }

    @inline(__always) func clockGap(_ micros: Int64) {
        clockSamples += 1
        if micros < clockGapMinMicros { clockGapMinMicros = micros }
    }

    @inline(__always) func record(_ metric: String, micros: UInt64) {
        histograms[metric, default: LatencyHistogram()].record(max(1, micros))
    }

    @inline(__always) func count(_ name: String, _ n: UInt64 = 1) { counters[name, default: 0] &+= n }

    @inline(__always) func observed(_ check: CheckKind) { observations.add(check) }

    func error(_ code: String) {
        errors[code, default: 0] += 1
        count("errors")
    }

    func userConnected(_ user: String, _ delta: Int) {
        connected += delta
        let v = connectedByUser[user, default: 0] + delta
        connectedByUser[user] = v == 0 ? nil : v
    }

    func workflowSubscribed(_ id: String, _ delta: Int) {
        subscriptions += delta
        let v = subscribersByWorkflow[id, default: 0] + delta
        subscribersByWorkflow[id] = v == 0 ? nil : v
    }

    /// Hands the second's data to the aggregator and starts a fresh second.
    func rotate() -> LoopSecond {
        foldTypedFigures()
        defer { histograms = [:]; counters = [:]; observations = CheckObservations(); errors = [:] }
        return LoopSecond(histograms: histograms, counters: counters, observations: observations, errors: errors, connected: connected,
                          subscriptions: subscriptions, subscribersByWorkflow: subscribersByWorkflow,
                          connectedUsers: Set(connectedByUser.keys), clockGapMinMicros: clockGapMinMicros, clockSamples: clockSamples)
    }
}

/// What one loop measured in one second (Sendable: it crosses to the aggregator).
struct LoopSecond: Sendable {
    var histograms: [String: LatencyHistogram]
    var counters: [String: UInt64]
    var observations: CheckObservations
    var errors: [String: Int]
    var connected: Int
    var subscriptions: Int
    var subscribersByWorkflow: [String: Int]
    var connectedUsers: Set<String>
    var clockGapMinMicros: Int64 = .max
    var clockSamples = 0
}
