import NIOCore
import StampedeJSON
import Testing
@testable import StampedeClient

/// The receive path over bytes: Engine.IO packets arrive as slices of what was read (several
/// per buffer), the scanner reads them in place, and events keep their raw JSON as a slice.
@Suite struct ByteReceivePathTests {
    static let open = #"0{"sid":"e1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#

    func connected(pid: String? = nil) -> ClientStateMachine {
        var m = ClientStateMachine(connectPayload: ["token": "t"])
        _ = m.receive(ByteBuffer(string: Self.open))
        _ = m.receive(ByteBuffer(string: pid.map { #"40{"sid":"s1","pid":"\#($0)"}"# } ?? #"40{"sid":"s1"}"#))
        return m
    }

    /// Several packets in one buffer, as one read holds them; each goes in as a slice.
    func slices(_ packets: [String]) -> [ByteBuffer] {
        var all = ByteBuffer()
        var ranges: [(Int, Int)] = []
        for p in packets {
            all.writeString("junk-before")  // bytes around each packet must not leak into it
            let at = all.writerIndex
            all.writeString(p)
            ranges.append((at, all.writerIndex - at))
            all.writeString("]}\"junk-after")
        }
        return ranges.map { all.getSlice(at: $0.0, length: $0.1)! }
    }

    func event(_ m: inout ClientStateMachine, _ packet: ByteBuffer) throws -> ReceivedEvent {
        guard case .event(let e) = m.receive(packet) else { throw Failure("expected an event") }
        return e
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    @Test func severalPacketsOfOneReadAreEachScannedInPlace() throws {
        var m = connected(pid: "p")
        let packets = (1...5).map { #"42["node_update",{"workflow_id":"wf-\#($0 % 2)","seq":\#($0),"ts":1796157000123.\#($0)},"o\#($0)"]"# }
        for (i, s) in slices(packets).enumerated() {
            let e = try event(&m, s)
            #expect(e.name == "node_update")
            #expect(e.workflowID == "wf-\((i + 1) % 2)")
            #expect(e.seq == Int64(i + 1))
            #expect(e.tsMicros == 1_796_157_000_123_000 + UInt64(i + 1) * 100)
            #expect(e.offset == "o\(i + 1)")
            #expect(e.raw == packets[i].dropFirst(2))
        }
        #expect(m.lastOffset == "o5")
    }

    @Test func anAckIDBeforeTheArrayIsReadAndNotPartOfRaw() throws {
        var m = connected()
        let e = try event(&m, ByteBuffer(string: #"4217["e",{"seq":1}]"#))
        #expect(e.ackID == 17)
        #expect(e.raw == #"["e",{"seq":1}]"#)
        #expect(e.seq == 1)
    }

    @Test func escapedStringsAndUnicodeWorkflowIDs() throws {
        var m = connected()
        let e = try event(&m, ByteBuffer(string: #"42["n\u00e9",{"workflow_id":"wf-ñ-日本-\"q\"","status":"ok\n"}]"#))
        #expect(e.name == "né")
        #expect(e.workflowID == "wf-ñ-日本-\"q\"")
        #expect(e.status == "ok\n")
        let plain = try event(&m, ByteBuffer(string: #"42["e",{"workflow_id":"wf-ñ-日本-🚀","seq":2}]"#))
        #expect(plain.workflowID == "wf-ñ-日本-🚀")
    }

    @Test func fractionalAndMissingFields() throws {
        var m = connected()
        let e = try event(&m, ByteBuffer(string: #"42["e",{"ts":1796157000123.4567,"sent_at_us":-5}]"#))
        #expect(e.ts == 1796157000123.4567)
        #expect(e.tsMicros == 1_796_157_000_123_456)
        #expect(e.sentAtMicros == nil)
        #expect(e.workflowID == nil && e.seq == nil && e.status == nil && e.offset == nil)
        // 17 significant digits: the receive path converts this ts on first read, from the event's own bytes.
        let late = try event(&m, ByteBuffer(string: #"42["tool_update",{"seq":3,"ts":1764786000123.4567,"status":"executing"}]"#))
        #expect(late.ts == 1764786000123.4567)
        #expect(late.tsMicros == 1_764_786_000_123_456)
        #expect(late == ReceivedEvent(name: "tool_update", seq: 3, ts: 1764786000123.4567, tsMicros: 1_764_786_000_123_456,
                                      status: "executing", rawBytes: late.rawBytes))
        var rewritten = late
        rewritten.ts = 2
        #expect(rewritten.ts == 2 && late.ts == 1764786000123.4567)
        let bare = try event(&m, ByteBuffer(string: #"42["hello"]"#))
        #expect(bare.name == "hello")
        #expect(try bare.arguments.isEmpty)
    }

    @Test func malformedPacketsAreRefusedCleanly() {
        for bad in [#"42["e",{"seq":1"#, #"42{"a":1}"#, #"42["unterminated"#, "42", #"42["x",{"a":}]"#] {
            var m = connected()
            if case .protocolError = m.receive(ByteBuffer(string: bad)) {} else { Issue.record("\(bad) must be refused") }
        }
        var m = connected()
        #expect(m.receive(ByteBuffer()) == .protocolError("empty Engine.IO packet"))
        var n = connected()
        #expect(n.receive(ByteBuffer(string: "4")) == .protocolError("empty message"))
    }

    @Test func theScannerAgreesOverBytesAndText() throws {
        let text = #"["search_results",{"results":[{"seq":99}],"workflow_id":"outer","seq":3,"ts":5.25,"status":"done","sent_at_us":42},"off"]"#
        var ids = RecentStrings(capacity: 4)
        let bytes = ByteBuffer(string: text)
        let fromBytes = bytes.withUnsafeReadableBytes { EventScanner.scan(bytes: $0, workflowIDs: &ids) }
        #expect(try #require(fromBytes) == EventScanner.scan(text[...]))
        #expect(fromBytes?.sentAtMicros == 42)
        #expect(fromBytes?.status == "done")
        #expect(fromBytes?.trailingString == "off")
    }

    @Test func aRepeatedWorkflowIDReusesTheFirstString() throws {
        var m = connected()
        let id = "workflow-0123456789-abcdef"  // longer than a small string: it has storage
        let a = try event(&m, ByteBuffer(string: #"42["e",{"workflow_id":"\#(id)","seq":1}]"#))
        let b = try event(&m, ByteBuffer(string: #"42["e",{"workflow_id":"\#(id)","seq":2}]"#))
        #expect(a.workflowID == id && b.workflowID == id)
        #expect(Self.storage(a.workflowID!) == Self.storage(b.workflowID!))
    }

    @Test func aSubscribedWorkflowsEventsCarryTheSubscribersOwnString() throws {
        var m = connected()
        let id = String(repeating: "subscribed-workflow-", count: 2)  // made at run time: own storage
        _ = try event(&m, ByteBuffer(string: #"42["e",{"workflow_id":"\#(id)","seq":1}]"#))
        m.expectEvents(forWorkflow: id)  // after the first event: the subscriber's copy replaces it
        let e = try event(&m, ByteBuffer(string: #"42["e",{"workflow_id":"\#(id)","seq":2}]"#))
        #expect(e.workflowID == id)
        #expect(Self.storage(e.workflowID!) == Self.storage(id))
        var other = connected()
        other.expectEvents(forWorkflow: id)  // before any event
        let f = try event(&other, ByteBuffer(string: #"42["e",{"workflow_id":"\#(id)","seq":1}]"#))
        #expect(Self.storage(f.workflowID!) == Self.storage(id))
    }

    @Test func recentStringsKeepTheFirstAndTheLastFewAndStayCorrectPastThem() {
        var r = RecentStrings(capacity: 2)
        func get(_ s: String) -> String { Array(s.utf8).withUnsafeBufferPointer { r.string(for: $0) } }
        let ids = (0..<5).map { "a-long-enough-workflow-id-\($0)" }
        let first = ids.map(get)
        #expect(first == ids)
        #expect(Self.storage(get(ids[4])) == Self.storage(first[4]))  // the newest: still remembered
        #expect(Self.storage(get(ids[0])) == Self.storage(first[0]))  // the first kept stays
        #expect(Self.storage(get(ids[1])) != Self.storage(first[1]))  // pushed out, made anew
        #expect(get(ids[1]) == ids[1])
        var one = RecentStrings(capacity: 1)  // one slot: the newest replaces it
        func getOne(_ s: String) -> String { Array(s.utf8).withUnsafeBufferPointer { one.string(for: $0) } }
        let a = getOne(ids[0]), b = getOne(ids[1])
        #expect(Self.storage(getOne(ids[1])) == Self.storage(b) && Self.storage(getOne(ids[0])) != Self.storage(a))
        var none = RecentStrings(capacity: 0)
        #expect(Array("x".utf8).withUnsafeBufferPointer { none.string(for: $0) } == "x")
    }

    @Test func eventsKeepTheirRawBytesEqualToTheirText() throws {
        var m = connected()
        let e = try event(&m, ByteBuffer(string: #"42["error",{"code":"rate_limited"}]"#))
        #expect(e.rawContains("rate_limited"))
        #expect(!e.rawContains("rate_limitedx"))
        #expect(e == ReceivedEvent(name: "error", raw: #"["error",{"code":"rate_limited"}]"#))
        #expect(try e.arguments == [["code": "rate_limited"]])
    }

    @Test func pollingRecordsAreSlicesOfOneBody() {
        var got: [String] = []
        PollingRecords.forEach(in: Array("\u{1E}40{\"sid\":\"x\"}\u{1E}\u{1E}42[\"e\"]\u{1E}6".utf8)) { got.append(String(buffer: $0)); return true }
        #expect(got == [#"40{"sid":"x"}"#, #"42["e"]"#, "6"])
        var first: [String] = []
        PollingRecords.forEach(in: Array("2\u{1E}3".utf8)) { first.append(String(buffer: $0)); return false }
        #expect(first == ["2"])
    }

    static func storage(_ s: String) -> UnsafeRawPointer? {
        s.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress) } ?? nil
    }
}
