import StampedeJSON
import Testing

@Suite struct JSONWriterTests {
    @Test func compactWithInsertionOrder() {
        let v: JSONValue = ["b": 1, "a": [true, false, nil], "c": ["d": "e"]]
        #expect(v.serialized == #"{"b":1,"a":[true,false,null],"c":{"d":"e"}}"#)
    }

    @Test func escapesWhatJSONRequiresAndNothingElse() {
        #expect(JSONValue.string("q\"b\\n\n\r\t\u{08}\u{0C}\u{01}\u{1F}/é😀").serialized
            == "\"q\\\"b\\\\n\\n\\r\\t\\b\\f\\u0001\\u001f/é😀\"")
    }

    @Test func doubles() {
        #expect(JSONValue.double(2).serialized == "2")
        #expect(JSONValue.double(1.5).serialized == "1.5")
        #expect(JSONValue.double(-0.25).serialized == "-0.25")
        #expect(JSONValue.double(.nan).serialized == "null")
        #expect(JSONValue.double(.infinity).serialized == "null")
        #expect(JSONValue.int(.min).serialized == "-9223372036854775808")
    }

    @Test(arguments: [
        #"{"workflow_id":"wf","seq":1,"ts":1700000000123.25,"results":[{"title":"t","url":"u"}]}"#,
        #"["a\"b",{"k":"\u0000"},-1,0.001,1e+300,{}]"#,
        #"{"emoji":"😀","escaped":"\ud83d\ude00","nested":[[[]]]}"#,
    ])
    func parseSerializeRoundTrip(_ text: String) throws {
        let v = try JSONParser.parse(text)
        let again = try JSONParser.parse(v.serialized)
        #expect(again == v)
        #expect(again.serialized == v.serialized)
    }

    @Test func serializedBytesAreUTF8() {
        #expect(JSONValue.string("é").serializedBytes == [0x22, 0xC3, 0xA9, 0x22])
    }
}
