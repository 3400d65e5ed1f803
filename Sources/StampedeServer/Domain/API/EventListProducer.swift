import NIOConcurrencyHelpers
import StampedeJSON

/// The `events` array of `GET /api/v1/workflows/{id}` and its closing
/// `]}`, serialised a part at a time (see `APIBodyProducer`).
final class EventListProducer: APIBodyProducer {
    private let events: [StoredEvent]
    /// Next event to write; past the end, whether the tail went out.
    private let cursor = NIOLockedValueBox<(next: Int, done: Bool)>((0, false))

    let length: Int

    /// Measures the list first (serialising each event once and keeping
    /// nothing), so the answer has a Content-Length.
    init(_ events: [StoredEvent]) {
        self.events = events
        var n = 2 + max(0, events.count - 1)
        for e in events { n += e.event.apiJSON.serializedBytes.count }
        length = n
    }

    /// Worth streaming: the frames approximate the API form's size.
    static func isLarge(_ events: [StoredEvent]) -> Bool {
        var n = 0
        for e in events {
            n += e.frame.readableBytes
            if n > 256 * 1024 { return true }
        }
        return false
    }

    func nextPart(maxBytes: Int) -> [UInt8]? {
        cursor.withLockedValue { c in
            guard !c.done else { return nil }
            var out: [UInt8] = []
            while c.next < events.count, out.count < maxBytes {
                if c.next > 0 { out.append(UInt8(ascii: ",")) }
                out += events[c.next].event.apiJSON.serializedBytes
                c.next += 1
            }
            if c.next == events.count {
                out += Array("]}".utf8)
                c.done = true
            }
            return out
        }
    }
}
