/// `JSONValue` → `Decodable`: the reading half of `JSONValueEncoder`, over the strict parser the
/// wire already uses. Errors are the standard `DecodingError`s with their coding paths, as
/// Foundation's decoder gives them, so a bad file names the field that is wrong.
public struct JSONValueDecoder {
    /// How infinities and NaN are spelled in the input, if at all.
    public var nonFiniteFloats: NonFiniteFloats = .refuse
    /// Types read in another form than their `Decodable` one (Foundation's `Date`): return nil to
    /// decode the type normally.
    public var special: ((any Decodable.Type, JSONValue, [any CodingKey]) throws -> Any?)?
    public var userInfo: [CodingUserInfoKey: Any] = [:]

    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try ValueDecoder(options: self, value: value, codingPath: []).unbox(type, value, at: [])
    }

    /// Parses `bytes` (UTF-8 JSON text) first; a parse error becomes `DecodingError.dataCorrupted`.
    public func decode<T: Decodable, Bytes: Collection>(_ type: T.Type, from bytes: Bytes) throws -> T where Bytes.Element == UInt8 {
        let value: JSONValue
        do { value = try JSONParser.parse(Array(bytes)) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "The given data was not valid JSON: \(error)", underlyingError: error))
        }
        return try decode(type, from: value)
    }
}

final class ValueDecoder: Decoder {
    let options: JSONValueDecoder
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { options.userInfo }

    init(options: JSONValueDecoder, value: JSONValue, codingPath: [any CodingKey]) {
        self.options = options
        self.value = value
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else { throw mismatch([String: Any].self, value, codingPath) }
        return KeyedDecodingContainer(KeyedContainer<Key>(decoder: self, object: object, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw mismatch([Any].self, value, codingPath) }
        return UnkeyedContainer(decoder: self, items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleContainer(decoder: self) }

    func unbox<T: Decodable>(_ type: T.Type, _ value: JSONValue, at path: [any CodingKey]) throws -> T {
        if let special = options.special, let v = try special(type, value, path) {
            guard let typed = v as? T else { throw mismatch(type, value, path) }
            return typed
        }
        switch type {
        case is String.Type: return try string(value, at: path) as! T
        case is Bool.Type: return try bool(value, at: path) as! T
        case is Int.Type: return try integer(Int.self, value, at: path) as! T
        case is Int64.Type: return try integer(Int64.self, value, at: path) as! T
        case is Double.Type: return try double(value, at: path) as! T
        default: return try T(from: ValueDecoder(options: options, value: value, codingPath: path))
        }
    }

    func mismatch(_ type: Any.Type, _ value: JSONValue, _ path: [any CodingKey]) -> DecodingError {
        if value == .null {
            return .valueNotFound(type, .init(codingPath: path, debugDescription: "Expected \(type) value but found null instead."))
        }
        return .typeMismatch(type, .init(codingPath: path, debugDescription: "Expected to decode \(type) but found \(Self.describe(value)) instead."))
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "a dictionary"
        }
    }

    func string(_ value: JSONValue, at path: [any CodingKey]) throws -> String {
        guard case .string(let s) = value else { throw mismatch(String.self, value, path) }
        return s
    }

    func bool(_ value: JSONValue, at path: [any CodingKey]) throws -> Bool {
        guard case .bool(let b) = value else { throw mismatch(Bool.self, value, path) }
        return b
    }

    func integer<I: FixedWidthInteger>(_ type: I.Type, _ value: JSONValue, at path: [any CodingKey]) throws -> I {
        let exact: I?
        switch value {
        case .int(let i): exact = I(exactly: i)
        case .double(let d): exact = d.isFinite ? I(exactly: d) : nil
        default: throw mismatch(type, value, path)
        }
        guard let exact else {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "Parsed JSON number <\(value.serialized)> does not fit in \(type)."))
        }
        return exact
    }

    func double(_ value: JSONValue, at path: [any CodingKey]) throws -> Double {
        switch value {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .string(let s):
            if case .strings(let pos, let neg, let nan) = options.nonFiniteFloats {
                if s == pos { return .infinity }
                if s == neg { return -.infinity }
                if s == nan { return .nan }
            }
            throw mismatch(Double.self, value, path)
        default: throw mismatch(Double.self, value, path)
        }
    }

    func float(_ value: JSONValue, at path: [any CodingKey]) throws -> Float {
        let d = try double(value, at: path)
        guard d.isNaN || d.isInfinite || abs(d) <= Double(Float.greatestFiniteMagnitude) else {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "Parsed JSON number <\(d)> does not fit in Float."))
        }
        return Float(d)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: ValueDecoder
    let codingPath: [any CodingKey]
    /// Built once per container: synthesized `init(from:)` asks for every key, and a linear
    /// search per key would make a large object quadratic. A repeated key: the last one wins.
    private let values: [String: JSONValue]
    let allKeys: [Key]

    init(decoder: ValueDecoder, object: JSONObject, codingPath: [any CodingKey]) {
        self.decoder = decoder
        self.codingPath = codingPath
        var values: [String: JSONValue] = [:]
        values.reserveCapacity(object.count)
        for e in object.entries { values[e.key] = e.value }
        self.values = values
        allKeys = object.keys.compactMap { Key(stringValue: $0) }
    }

    func contains(_ key: Key) -> Bool { values[key.stringValue] != nil }

    private func value(_ key: Key) throws -> JSONValue {
        guard let v = values[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "No value associated with key \(key.stringValue) (\"\(key.stringValue)\")."))
        }
        return v
    }

    private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key) == .null }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder.bool(value(key), at: path(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder.string(value(key), at: path(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder.double(value(key), at: path(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decoder.float(value(key), at: path(key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder.integer(type, value(key), at: path(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decoder.integer(type, value(key), at: path(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decoder.integer(type, value(key), at: path(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decoder.integer(type, value(key), at: path(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoder.integer(type, value(key), at: path(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decoder.integer(type, value(key), at: path(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decoder.integer(type, value(key), at: path(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decoder.integer(type, value(key), at: path(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decoder.integer(type, value(key), at: path(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decoder.integer(type, value(key), at: path(key)) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decoder.unbox(type, value(key), at: path(key)) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try ValueDecoder(options: decoder.options, value: value(key), codingPath: path(key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ValueDecoder(options: decoder.options, value: value(key), codingPath: path(key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        ValueDecoder(options: decoder.options, value: values["super"] ?? .null, codingPath: codingPath + [IndexKey.superKey])
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        ValueDecoder(options: decoder.options, value: values[key.stringValue] ?? .null, codingPath: path(key))
    }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: ValueDecoder
    let items: [JSONValue]
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(decoder: ValueDecoder, items: [JSONValue], codingPath: [any CodingKey]) {
        self.decoder = decoder
        self.items = items
        self.codingPath = codingPath
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private var path: [any CodingKey] { codingPath + [IndexKey(intValue: currentIndex)] }

    /// The next element, consumed only when `read` succeeds (Foundation's behaviour, so a caller
    /// may retry the same element as another type).
    private mutating func next<T>(_ type: T.Type, _ read: (ValueDecoder, JSONValue, [any CodingKey]) throws -> T) throws -> T {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: path, debugDescription: "Unkeyed container is at end."))
        }
        let v = try read(decoder, items[currentIndex], path)
        currentIndex += 1
        return v
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any?.self, .init(codingPath: path, debugDescription: "Unkeyed container is at end."))
        }
        if items[currentIndex] == .null { currentIndex += 1; return true }
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type) { try $0.bool($1, at: $2) } }
    mutating func decode(_ type: String.Type) throws -> String { try next(type) { try $0.string($1, at: $2) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type) { try $0.double($1, at: $2) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try next(type) { try $0.float($1, at: $2) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type) { try $0.integer(type, $1, at: $2) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(type) { try $0.integer(type, $1, at: $2) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(type) { try $0.integer(type, $1, at: $2) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(type) { try $0.integer(type, $1, at: $2) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type) { try $0.integer(type, $1, at: $2) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(type) { try $0.integer(type, $1, at: $2) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(type) { try $0.integer(type, $1, at: $2) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(type) { try $0.integer(type, $1, at: $2) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(type) { try $0.integer(type, $1, at: $2) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(type) { try $0.integer(type, $1, at: $2) } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type) { try $0.unbox(type, $1, at: $2) } }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next(KeyedDecodingContainer<NestedKey>.self) {
            try ValueDecoder(options: $0.options, value: $1, codingPath: $2).container(keyedBy: type)
        }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next((any UnkeyedDecodingContainer).self) {
            try ValueDecoder(options: $0.options, value: $1, codingPath: $2).unkeyedContainer()
        }
    }

    mutating func superDecoder() throws -> any Decoder {
        try next((any Decoder).self) { ValueDecoder(options: $0.options, value: $1, codingPath: $2) }
    }
}

private struct SingleContainer: SingleValueDecodingContainer {
    let decoder: ValueDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }
    private var value: JSONValue { decoder.value }

    func decodeNil() -> Bool { value == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.bool(value, at: codingPath) }
    func decode(_ type: String.Type) throws -> String { try decoder.string(value, at: codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try decoder.double(value, at: codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try decoder.float(value, at: codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.integer(type, value, at: codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.integer(type, value, at: codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.integer(type, value, at: codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.integer(type, value, at: codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.integer(type, value, at: codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.integer(type, value, at: codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.integer(type, value, at: codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.integer(type, value, at: codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.integer(type, value, at: codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.integer(type, value, at: codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.unbox(type, value, at: codingPath) }
}
