import StampedeJSON
import Testing

@Suite struct JSONParserTests {
    @Test func scalars() throws {
        #expect(try JSONParser.parse("null") == .null)
        #expect(try JSONParser.parse(" true ") == true)
        #expect(try JSONParser.parse("false") == false)
        #expect(try JSONParser.parse("\"s\"") == "s")
    }

    @Test func numbers() throws {
        #expect(try JSONParser.parse("0") == .int(0))
        #expect(try JSONParser.parse("-12") == .int(-12))
        #expect(try JSONParser.parse("9223372036854775807") == .int(.max))
        // Past Int64 it is still a number, just not an exact one.
        #expect(try JSONParser.parse("9223372036854775808") == .double(9223372036854775808))
        #expect(try JSONParser.parse("1.5") == .double(1.5))
        #expect(try JSONParser.parse("1e3") == .double(1000))
        #expect(try JSONParser.parse("-2.5E-1") == .double(-0.25))
        #expect(try JSONParser.parse("3.0").intValue == 3)
        #expect(try JSONParser.parse("3.5").intValue == nil)
    }

    @Test(arguments: ["01", "+1", ".5", "1.", "1e", "-", "NaN", "Infinity", "0x10", "1.e3", "--1"])
    func badNumbers(_ text: String) { #expect(throws: JSONParseError.self) { try JSONParser.parse(text) } }

    @Test func escapes() throws {
        #expect(try JSONParser.parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{08}\u{0C}\n\r\t"))
        #expect(try JSONParser.parse(#""\u00e9\u0041""#) == "éA")
    }

    @Test func surrogatePairs() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == "😀")
        #expect(try JSONParser.parse("\"😀\"") == "😀")
    }

    @Test(arguments: [#""\ud83d""#, #""\ude00""#, #""\ud83dx""#, #""\ud83d\u0041""#, #""\x""#, #""\u12g4""#])
    func badEscapes(_ text: String) { #expect(throws: JSONParseError.self) { try JSONParser.parse(text) } }

    @Test(arguments: ["", "{", "[1,]", "{\"a\":1,}", "{a:1}", "[1 2]", "\"unterminated", "\"tab\there\"", "tru",
                      "nul", "{} x", "[1]]", "{\"a\" 1}", "// c\n1"])
    func badDocuments(_ text: String) { #expect(throws: JSONParseError.self) { try JSONParser.parse(text) } }

    @Test func depthLimit() throws {
        let ok = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        #expect(throws: Never.self) { try JSONParser.parse(ok) }
        let deep = String(repeating: "[", count: JSONParser.maxDepth + 1) + String(repeating: "]", count: JSONParser.maxDepth + 1)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let hostile = String(repeating: "{\"a\":", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(hostile) }
    }

    @Test func objectsKeepKeyOrderAndLastDuplicateWins() throws {
        let v = try JSONParser.parse(#"{"z":1,"a":2,"m":{"k":[1,2,{"x":null}]},"z":3}"#)
        #expect(v.objectValue?.keys == ["z", "a", "m"])
        #expect(v["z"] == 3)
        #expect(v["m"]?["k"]?[2]?["x"] == .null)
    }

    /// Past 16 keys the parser indexes them; the order and duplicate rules must not change there.
    @Test func largeObjectsKeepTheSameRules() throws {
        let keys = (0..<40).map { "k\($0)" }
        let text = "{" + keys.map { "\"\($0)\":1" }.joined(separator: ",") + #","k3":2,"k39":3,"k0":4}"#
        let v = try JSONParser.parse(text)
        #expect(v.objectValue?.keys == keys)
        #expect(v["k3"] == 2 && v["k39"] == 3 && v["k0"] == 4 && v["k20"] == 1)
    }

    @Test func errorReportsOffset() {
        do {
            _ = try JSONParser.parse("[1, x]")
            Issue.record("parsed")
        } catch let e as JSONParseError {
            #expect(e.offset == 4)
        } catch { Issue.record("\(error)") }
    }
}
