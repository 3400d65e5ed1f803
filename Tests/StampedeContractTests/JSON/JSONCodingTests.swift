import Foundation
import StampedeJSON
import Testing

/// StampedeJSON's Codable coders replaced Foundation's `JSONEncoder`/`JSONDecoder` in reports,
/// stats bodies and state files. Foundation stays here as the oracle: the same values must give
/// the same text, byte for byte, and the same errors must name the same paths.
@Suite struct JSONCodingTests {
    enum Shape: Codable, Equatable {
        case circle(radius: Double)
        case square(side: Int, label: String?)
        case empty
    }

    struct Inner: Codable, Equatable {
        var name: String
        var tags: [String]
        var weight: Float
    }

    struct Everything: Codable, Equatable {
        var text = "q\"b\\n\n/é😀\u{01}"
        var flag = true
        var small: Int8 = -3
        var big: UInt64 = 9_000_000_000_000_000_000
        var count: Int = 42
        var ratio = 0.1 + 0.2
        var whole: Double = 50
        var tiny = 1e-5
        var huge = 5e20
        var missing: String?
        var present: String? = "here"
        var nothing: [Int] = []
        var noKeys: [String: Int] = [:]
        var byName: [String: Int] = ["p999": 1, "p99": 2, "a_b": 3, "aB": 4, "A": 5, "a10": 6, "a2": 7, "é": 8]
        var byNumber: [Int: String] = [3: "c", 10: "j", 1: "a"]
        var nested: [[Int]] = [[1, 2], [], [3]]
        var inner = Inner(name: "in", tags: ["x", "y"], weight: 0.1)
        var shapes: [Shape] = [.circle(radius: 1.5), .square(side: 2, label: nil), .square(side: 3, label: "s"), .empty]
    }

    private func foundation(_ value: some Encodable, pretty: Bool) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(value), as: UTF8.self)
    }

    private func ours(_ value: some Encodable, _ options: JSONWriter.Options) throws -> String {
        String(decoding: try JSONValueEncoder().encodeBytes(value, options: options), as: UTF8.self)
    }

    @Test func sortedOutputMatchesFoundationByteForByte() throws {
        let value = Everything()
        #expect(try ours(value, [.sortedKeys, .prettyPrinted]) == foundation(value, pretty: true))
        #expect(try ours(value, [.sortedKeys]) == foundation(value, pretty: false))
    }

    /// `JSONValue` holds integers as `Int64`; an unsigned value past it is written as a double
    /// (no model here has one: counters and µs timestamps fit).
    @Test func unsignedValuesPastInt64BecomeDoubles() throws {
        #expect(try JSONValueEncoder().encode([UInt64.max]) == .array([.double(Double(UInt64.max))]))
    }

    @Test func unsortedOutputKeepsEncodingOrder() throws {
        struct Ordered: Encodable { var z = 1, a = 2, m = 3 }
        #expect(try ours(Ordered(), []) == #"{"z":1,"a":2,"m":3}"#)
    }

    @Test func decodesWhatItEncodesAndWhatFoundationEncodes() throws {
        let value = Everything()
        let back = try JSONValueDecoder().decode(Everything.self, from: JSONValueEncoder().encode(value))
        #expect(back == value)
        let fromFoundation = try JSONValueDecoder().decode(Everything.self, from: JSONEncoder().encode(value))
        #expect(fromFoundation == value)
    }

    @Test func classHierarchiesGoThroughSuperEncoders() throws {
        class Base: Codable { var id = 7 }
        final class Derived: Base {
            var extra = "e"
            enum Keys: CodingKey { case extra }
            override init() { super.init() }
            required init(from decoder: any Decoder) throws {
                extra = try decoder.container(keyedBy: Keys.self).decode(String.self, forKey: .extra)
                try super.init(from: decoder.container(keyedBy: Keys.self).superDecoder())
            }
            override func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: Keys.self)
                try c.encode(extra, forKey: .extra)
                try super.encode(to: c.superEncoder())
            }
        }
        let d = Derived()
        d.id = 9
        #expect(try ours(d, [.sortedKeys]) == foundation(d, pretty: false))
        let back = try JSONValueDecoder().decode(Derived.self, from: JSONValueEncoder().encode(d))
        #expect(back.id == 9 && back.extra == "e")
    }

    @Test func nonFiniteNumbersAreRefusedUnlessSpelled() throws {
        struct Box: Codable, Equatable { var v: Double }
        #expect(throws: EncodingError.self) { _ = try JSONValueEncoder().encode(Box(v: .infinity)) }
        var e = JSONValueEncoder()
        e.nonFiniteFloats = .strings(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        #expect(try e.encode([Box(v: .infinity), Box(v: -.infinity)]).serialized == #"[{"v":"Infinity"},{"v":"-Infinity"}]"#)
        var d = JSONValueDecoder()
        d.nonFiniteFloats = e.nonFiniteFloats
        #expect(try d.decode([Box].self, from: Array(#"[{"v":"-Infinity"}]"#.utf8)) == [Box(v: -.infinity)])
        #expect(try d.decode(Box.self, from: Array(#"{"v":"NaN"}"#.utf8)).v.isNaN)
        #expect(throws: DecodingError.self) { _ = try JSONValueDecoder().decode(Box.self, from: Array(#"{"v":"NaN"}"#.utf8)) }
    }

    @Test func specialTypesAreInterceptedBothWays() throws {
        struct Stamped: Codable, Equatable { var at: Date }
        var e = JSONValueEncoder()
        e.special = { ($0 as? Date).map { .double($0.timeIntervalSince1970) } }
        let value = Stamped(at: Date(timeIntervalSince1970: 1_795_000_000))
        #expect(try e.encode(value).serialized == #"{"at":1795000000}"#)
        var d = JSONValueDecoder()
        d.special = { type, v, _ in type == Date.self ? v.doubleValue.map { Date(timeIntervalSince1970: $0) } : nil }
        #expect(try d.decode(Stamped.self, from: e.encode(value)) == value)
    }

    /// A bad file must say which field is wrong, as Foundation's errors do.
    @Test func errorsNameTheFieldAndMatchFoundationsKinds() throws {
        struct Doc: Codable { var list: [Item] }
        struct Item: Codable { var n: Int8; var s: String }
        let cases: [(String, String)] = [
            (#"{"list":[{"n":1,"s":"a"},{"n":2}]}"#, "keyNotFound s at list.1"),
            (#"{"list":[{"n":"x","s":"a"}]}"#, "typeMismatch at list.0.n"),
            (#"{"list":[{"n":1,"s":null}]}"#, "valueNotFound at list.0.s"),
            (#"{"list":[{"n":300,"s":"a"}]}"#, "dataCorrupted at list.0.n"),
            (#"{"list":[{"n":1.5,"s":"a"}]}"#, "dataCorrupted at list.0.n"),
            (#"{"list":"#, "dataCorrupted at "),
        ]
        for (text, expected) in cases {
            let ours = Self.describe { _ = try JSONValueDecoder().decode(Doc.self, from: Array(text.utf8)) }
            let theirs = Self.describe { _ = try JSONDecoder().decode(Doc.self, from: Data(text.utf8)) }
            #expect(ours == expected, "\(text)")
            // Same kind of error; for a number out of range Foundation gives no path, ours does.
            #expect(ours.split(separator: " ").first == theirs.split(separator: " ").first, "\(text): Foundation says \(theirs)")
        }
    }

    @Test func aLargeObjectDecodesEveryKey() throws {
        let big = Dictionary(uniqueKeysWithValues: (0..<20_000).map { ("k\($0)", $0) })
        let text = try JSONValueEncoder().encodeBytes(big, options: [.sortedKeys])
        #expect(try JSONValueDecoder().decode([String: Int].self, from: text) == big)
    }

    private static func describe(_ body: () throws -> Void) -> String {
        do { try body() } catch let error as DecodingError {
            func path(_ p: [any CodingKey]) -> String { p.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") }
            switch error {
            case .keyNotFound(let key, let c): return "keyNotFound \(key.stringValue) at \(path(c.codingPath))"
            case .typeMismatch(_, let c): return "typeMismatch at \(path(c.codingPath))"
            case .valueNotFound(_, let c): return "valueNotFound at \(path(c.codingPath))"
            case .dataCorrupted(let c): return "dataCorrupted at \(path(c.codingPath))"
            @unknown default: return "unknown"
            }
        } catch { return "other: \(error)" }
        return "no error"
    }
}

