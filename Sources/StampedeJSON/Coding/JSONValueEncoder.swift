/// `Encodable` → `JSONValue`, so that reports, stats bodies and state files go through the same
/// writer as the wire (one JSON stack, no Foundation in this module). Output matches Foundation's
/// `JSONEncoder` with `.sortedKeys` when written with `JSONWriter.Options.sortedKeys`: report.json's
/// golden file pins that byte for byte.
public struct JSONValueEncoder {
    /// What a non-finite `Double` becomes; JSON has no spelling for it.
    public var nonFiniteFloats: NonFiniteFloats = .refuse
    /// Values that need another form than their `Encodable` one (Foundation's `Date`, which this
    /// module cannot name): return nil to encode the value normally.
    public var special: ((any Encodable) throws -> JSONValue?)?
    public var userInfo: [CodingUserInfoKey: Any] = [:]

    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let encoder = ValueEncoder(options: self, codingPath: [])
        return try encoder.box(value).frozen
    }

    /// `value` as JSON text, in the writer's `options`.
    public func encodeBytes<T: Encodable>(_ value: T, options: JSONWriter.Options = []) throws -> [UInt8] {
        var out = ""
        JSONWriter.write(try encode(value), options: options, into: &out)
        return Array(out.utf8)
    }
}

/// How a coder spells infinities and NaN (Foundation's `convertToString` strategies).
public enum NonFiniteFloats: Sendable {
    /// Encoding throws, decoding finds a type mismatch.
    case refuse
    case strings(positiveInfinity: String, negativeInfinity: String, nan: String)
}

/// A value being built: leaves are final, containers are shared references so a container handed
/// out by `container(keyedBy:)` keeps writing into the tree after it is returned.
enum EncodedNode {
    case value(JSONValue)
    case array(ArrayNode)
    case object(ObjectNode)
    /// A `superEncoder()` whose content is known only when the tree is frozen.
    case deferred(ValueEncoder)

    var frozen: JSONValue {
        switch self {
        case .value(let v): v
        case .array(let a): .array(a.items.map(\.frozen))
        case .object(let o): .object(JSONObject(distinct: o.keys.map { ($0, o.values[$0]!.frozen) }))
        case .deferred(let e): e.node?.frozen ?? .object(JSONObject())
        }
    }
}

final class ArrayNode {
    var items: [EncodedNode] = []
}

final class ObjectNode {
    var keys: [String] = []
    var values: [String: EncodedNode] = [:]

    func set(_ key: String, _ node: EncodedNode) {
        if values.updateValue(node, forKey: key) == nil { keys.append(key) }
    }
}

final class ValueEncoder: Encoder {
    let options: JSONValueEncoder
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { options.userInfo }
    /// What this encoder's value became; nil until something was encoded.
    var node: EncodedNode?

    init(options: JSONValueEncoder, codingPath: [any CodingKey]) {
        self.options = options
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object: ObjectNode
        if case .object(let existing) = node { object = existing } else {
            object = ObjectNode()
            node = .object(object)
        }
        return KeyedEncodingContainer(KeyedContainer<Key>(encoder: self, object: object, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: ArrayNode
        if case .array(let existing) = node { array = existing } else {
            array = ArrayNode()
            node = .array(array)
        }
        return UnkeyedContainer(encoder: self, array: array, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleContainer(encoder: self) }

    /// One value as a node: primitives directly, anything else through its own `encode(to:)`.
    func box<T: Encodable>(_ value: T, at path: [any CodingKey]? = nil) throws -> EncodedNode {
        if let special = options.special, let v = try special(value) { return .value(v) }
        switch value {
        case let v as String: return .value(.string(v))
        case let v as Bool: return .value(.bool(v))
        case let v as Int: return .value(.int(Int64(v)))
        case let v as Int64: return .value(.int(v))
        case let v as Double: return .value(try double(v, at: path ?? codingPath))
        default: break
        }
        let child = ValueEncoder(options: options, codingPath: path ?? codingPath)
        try value.encode(to: child)
        return child.node ?? .object(ObjectNode())
    }

    func double(_ d: Double, at path: [any CodingKey]) throws -> JSONValue {
        if d.isFinite { return .double(d) }
        guard case .strings(let pos, let neg, let nan) = options.nonFiniteFloats else {
            throw EncodingError.invalidValue(d, .init(codingPath: path, debugDescription: "\(d) is not representable in JSON"))
        }
        return .string(d.isNaN ? nan : d > 0 ? pos : neg)
    }

    /// Foundation writes a `Float` as its own shortest form (0.1, not 0.10000000149011612).
    func float(_ f: Float, at path: [any CodingKey]) throws -> JSONValue {
        try double(f.isFinite ? Double(f.description) ?? Double(f) : Double(f), at: path)
    }

    /// `JSONValue` keeps integers as `Int64`; an unsigned value past it can only be a double.
    static func integer<I: BinaryInteger>(_ i: I) -> JSONValue {
        if let exact = Int64(exactly: i) { return .int(exact) }
        return .double(Double(i))
    }
}

/// Coding keys for positions in arrays and for `super`.
struct IndexKey: CodingKey {
    let stringValue: String
    let intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue; intValue = nil }
    init(intValue: Int) { self.stringValue = "Index \(intValue)"; self.intValue = intValue }
    static let superKey = IndexKey(stringValue: "super")
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: ValueEncoder
    let object: ObjectNode
    let codingPath: [any CodingKey]

    private func put(_ v: JSONValue, _ key: Key) { object.set(key.stringValue, .value(v)) }
    mutating func encodeNil(forKey key: Key) throws { put(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { put(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { put(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { put(try encoder.double(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { put(try encoder.float(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { put(.int(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { put(ValueEncoder.integer(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { put(ValueEncoder.integer(value), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        object.set(key.stringValue, try encoder.box(value, at: codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = ObjectNode()
        object.set(key.stringValue, .object(nested))
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(encoder: encoder, object: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = ArrayNode()
        object.set(key.stringValue, .array(nested))
        return UnkeyedContainer(encoder: encoder, array: nested, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { deferredEncoder(IndexKey.superKey) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { deferredEncoder(key) }

    private func deferredEncoder(_ key: any CodingKey) -> any Encoder {
        let child = ValueEncoder(options: encoder.options, codingPath: codingPath + [key])
        object.set(key.stringValue, .deferred(child))
        return child
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer, PrimitiveSink {
    let encoder: ValueEncoder
    let array: ArrayNode
    let codingPath: [any CodingKey]
    var count: Int { array.items.count }

    private var nextPath: [any CodingKey] { codingPath + [IndexKey(intValue: count)] }
    var valuePath: [any CodingKey] { nextPath }
    func put(_ v: JSONValue) { array.items.append(.value(v)) }
    mutating func encode<T: Encodable>(_ value: T) throws { array.items.append(try encoder.box(value, at: nextPath)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = ObjectNode(), path = nextPath
        array.items.append(.object(nested))
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(encoder: encoder, object: nested, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = ArrayNode(), path = nextPath
        array.items.append(.array(nested))
        return UnkeyedContainer(encoder: encoder, array: nested, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let child = ValueEncoder(options: encoder.options, codingPath: nextPath)
        array.items.append(.deferred(child))
        return child
    }
}

private struct SingleContainer: SingleValueEncodingContainer, PrimitiveSink {
    let encoder: ValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    var valuePath: [any CodingKey] { codingPath }
    func put(_ v: JSONValue) { encoder.node = .value(v) }
    mutating func encode<T: Encodable>(_ value: T) throws { encoder.node = try encoder.box(value) }
}

/// The primitive `encode` overloads of the unkeyed and single-value containers, written once: each
/// container only says where a value goes.
private protocol PrimitiveSink {
    var encoder: ValueEncoder { get }
    /// Where the next value will sit, for error messages.
    var valuePath: [any CodingKey] { get }
    func put(_ v: JSONValue)
}

extension PrimitiveSink {
    mutating func encodeNil() throws { put(.null) }
    mutating func encode(_ value: Bool) throws { put(.bool(value)) }
    mutating func encode(_ value: String) throws { put(.string(value)) }
    mutating func encode(_ value: Double) throws { put(try encoder.double(value, at: valuePath)) }
    mutating func encode(_ value: Float) throws { put(try encoder.float(value, at: valuePath)) }
    mutating func encode(_ value: Int) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int8) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int16) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { put(.int(value)) }
    mutating func encode(_ value: UInt) throws { put(ValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt8) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: UInt16) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: UInt32) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: UInt64) throws { put(ValueEncoder.integer(value)) }
}
