import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

typealias HTTPPart = HTTPServerResponsePart

/// The run's live figures as server-sent events: every second's sample is
/// kept (a page that opens mid-run draws the whole run so far) and pushed to
/// the open streams; the final verdict ends them. Appending is one lock and
/// one write per open page: the runner hands a value over and moves on.
final class DashboardFeed: Sendable {
    private struct State {
        var samples: [String] = []
        var final: String?
        var streams: [ObjectIdentifier: Channel] = [:]
    }

    private let state = NIOLockedValueBox(State())

    /// One `data:` line per sample; `event: final` for the verdict.
    static func message(_ json: String, event: String? = nil) -> String {
        (event.map { "event: \($0)\n" } ?? "") + "data: \(json)\n\n"
    }

    func append(sampleJSON json: String) {
        let streams = state.withLockedValue { s -> [Channel] in
            s.samples.append(json)
            return Array(s.streams.values)
        }
        push(Self.message(json), to: streams)
    }

    /// Sends the verdict to every open page; the future completes when each has it (or has gone).
    func finish(finalJSON json: String, on loop: EventLoop) -> EventLoopFuture<Void> {
        let streams = state.withLockedValue { s -> [Channel] in
            s.final = json
            return Array(s.streams.values)
        }
        let text = Self.message(json, event: "final")
        let writes = streams.map { ch -> EventLoopFuture<Void> in
            var buf = ch.allocator.buffer(capacity: text.utf8.count)
            buf.writeString(text)
            return ch.writeAndFlush(HTTPPart.body(.byteBuffer(buf))).recover { _ in }
        }
        return EventLoopFuture.andAllComplete(writes, on: loop)
    }

    /// A page opened `/events`: everything so far, then it stays subscribed.
    func attach(_ channel: Channel) {
        let backlog = state.withLockedValue { s -> String in
            s.streams[ObjectIdentifier(channel)] = channel
            var text = s.samples.map { Self.message($0) }.joined()
            if let f = s.final { text += Self.message(f, event: "final") }
            return text
        }
        channel.closeFuture.whenComplete { [weak self] _ in
            _ = self?.state.withLockedValue { $0.streams.removeValue(forKey: ObjectIdentifier(channel)) }
        }
        // A retry hint: reconnect quickly if the stream drops mid-run.
        push("retry: 1000\n\n" + backlog, to: [channel])
    }

    var openStreams: Int { state.withLockedValue { $0.streams.count } }
    var sampleCount: Int { state.withLockedValue { $0.samples.count } }

    private func push(_ text: String, to channels: [Channel]) {
        for ch in channels {
            var buf = ch.allocator.buffer(capacity: text.utf8.count)
            buf.writeString(text)
            ch.writeAndFlush(HTTPPart.body(.byteBuffer(buf)), promise: nil)
        }
    }
}
