import StampedeJSON

/// Typed reads of the scenario's `server:` block, for whoever starts the embedded server
/// (the engine itself only needs a base URL). Durations are "500ms"/"2s" or numbers of ms.
public struct ServerOptions: Sendable {
    public let values: [String: JSONValue]
    public init(_ values: [String: JSONValue]) { self.values = values }

    public func milliseconds(_ key: String) -> Int? {
        guard let v = values[key] else { return nil }
        if let s = v.stringValue { return DurationText.seconds(s).map { Int(($0 * 1000).rounded()) } }
        return v.doubleValue.map { Int($0) }
    }

    public func seconds(_ key: String) -> Double? { milliseconds(key).map { Double($0) / 1000 } }
    public func int(_ key: String) -> Int? { values[key]?.intValue.map(Int.init) ?? values[key]?.stringValue.flatMap { Int($0) } }
    public func double(_ key: String) -> Double? { values[key]?.doubleValue ?? values[key]?.stringValue.flatMap { DurationText.perSecond($0) } }
    public func string(_ key: String) -> String? { values[key]?.stringValue }
}
