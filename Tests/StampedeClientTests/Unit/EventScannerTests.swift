import StampedeJSON
import Testing
@testable import StampedeClient

@Suite struct EventScannerTests {
    @Test func extractsTheCheckFieldsOfAWorkflowEvent() throws {
        let r = try #require(EventScanner.scan(#"["node_update",{"node":"analyze_query","workflow_id":"wf-1","seq":7,"status":"executing","ts":1732400000123.5}]"#[...]))
        #expect(r.name == "node_update")
        #expect(r.workflowID == "wf-1")
        #expect(r.seq == 7)
        #expect(r.ts == 1732400000123.5)
        #expect(r.trailingString == nil)
        #expect(r.argumentCount == 1)
    }

    /// The receive path's scan leaves a `ts` that needs `strtod` as its text; the public scan converts it.
    @Test func aTimestampThatNeedsStrtodIsLeftAsTextOnlyWhenAsked() throws {
        let text = #"["tool_update",{"workflow_id":"w","seq":1,"ts":1764786000123.4567,"status":"executing"}]"#
        let eager = try #require(EventScanner.scan(text[...]))
        #expect(eager.ts == 1764786000123.4567 && eager.tsText == nil)
        var recent = RecentStrings(capacity: 0)
        let lazy = try #require(Array(text.utf8).withUnsafeBytes { EventScanner.scanLeavingTimestampText($0, workflowIDs: &recent) })
        #expect(lazy.ts == nil)
        let r = try #require(lazy.tsText)
        #expect(String(decoding: Array(text.utf8)[r], as: UTF8.self) == "1764786000123.4567")
        #expect(lazy.tsMicros == eager.tsMicros && lazy.tsMicros == 1_764_786_000_123_456)
        // Digits that fit a Double exactly are converted in place either way.
        let short = #"["e",{"ts":1764786000123.5}]"#
        let s = try #require(Array(short.utf8).withUnsafeBytes { EventScanner.scanLeavingTimestampText($0, workflowIDs: &recent) })
        #expect(s.ts == 1764786000123.5 && s.tsText == nil)
    }

    @Test func contractNamesAndStatusesReadLikeAnyOtherString() throws {
        for (name, status) in [("tool_update", "executing"), ("workflow_status", "cancelled"), ("my_event", "tool_update"), ("error", "x")] {
            let r = try #require(EventScanner.scan(#"["\#(name)",{"status":"\#(status)"}]"#[...]))
            #expect(r.name == name && r.status == status)
        }
        #expect(KnownStrings.all.contains("node_update") && KnownStrings.all.contains("pending") && KnownStrings.all.contains("executing"))
        #expect(Set(KnownStrings.all).count == KnownStrings.all.count)
    }

    @Test func skipsNestedValuesWithoutMistakingTheirKeys() throws {
        let text = #"["search_results",{"results":[{"seq":99,"workflow_id":"inner","snippet":"a \"quoted\" ], }"}],"synthesis":"x","workflow_id":"outer","seq":3,"ts":5}]"#
        let r = try #require(EventScanner.scan(text[...]))
        #expect(r.workflowID == "outer")
        #expect(r.seq == 3)
        #expect(r.ts == 5)
    }

    @Test func aTrailingStringAfterTheObjectIsTheRecoveryOffset() throws {
        let r = try #require(EventScanner.scan(#"["tool_update",{"workflow_id":"w","seq":2,"ts":1},"off-42"]"#[...]))
        #expect(r.trailingString == "off-42")
        #expect(r.argumentCount == 2)
    }

    @Test func aLoneStringArgumentIsNotAnOffset() throws {
        let r = try #require(EventScanner.scan(#"["hello","world"]"#[...]))
        #expect(r.name == "hello")
        #expect(r.trailingString == nil)
        #expect(r.workflowID == nil)
    }

    @Test func escapedStringsAreDecoded() throws {
        let r = try #require(EventScanner.scan(#"["n\u00e9",{"workflow_id":"a\"b","seq":1}]"#[...]))
        #expect(r.name == "né")
        #expect(r.workflowID == "a\"b")
    }

    @Test func whitespaceAndNegativeAndExponentNumbers() throws {
        let r = try #require(EventScanner.scan(" [ \"e\" , { \"seq\" : -4 , \"ts\" : 1.5e3 } ] "[...]))
        #expect(r.seq == -4)
        #expect(r.ts == 1500)
    }

    @Test func aFractionalSeqIsNotASeq() throws {
        let r = try #require(EventScanner.scan(#"["e",{"seq":1.5}]"#[...]))
        #expect(r.seq == nil)
    }

    @Test func malformedInputIsRefused() {
        #expect(EventScanner.scan(#"{"a":1}"#[...]) == nil)
        #expect(EventScanner.scan(#"["e",{"seq":1"#[...]) == nil)
        #expect(EventScanner.scan(#"[1,{}]"#[...]) == nil)
        #expect(EventScanner.scan(#"["unterminated"#[...]) == nil)
    }

    @Test func agreesWithTheFullParserOnGeneratedEvents() throws {
        for i in 0..<200 {
            let wf = "wf-\(i % 7)"
            let obj: JSONValue = ["workflow_id": .string(wf), "seq": .int(Int64(i)), "ts": .double(Double(i) * 1.25),
                                  "message": .string("m \(i) \"q\" [x]"), "nested": ["a": [1, 2, ["b": "}"]]]]
            var args: [JSONValue] = [.string("evt_\(i % 3)"), obj]
            if i % 2 == 0 { args.append(.string("o\(i)")) }
            let text = JSONValue.array(args).serialized
            let r = try #require(EventScanner.scan(text[...]))
            #expect(r.name == "evt_\(i % 3)")
            #expect(r.workflowID == wf)
            #expect(r.seq == Int64(i))
            #expect(r.ts == Double(i) * 1.25)
            #expect(r.trailingString == (i % 2 == 0 ? "o\(i)" : nil))
        }
    }
}
