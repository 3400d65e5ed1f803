import StampedeJSON

/// Typed reads of the scenario's `server:` block, for whoever starts the embedded server and
/// for the checks that need the server's limits (the engine itself only needs a base URL).
/// Durations are "500ms"/"2s" or numbers of ms.
public struct ServerOptions: Sendable {
    public let values: [String: JSONValue]
    public init(_ values: [String: JSONValue]) { self.values = values }

    public func milliseconds(_ key: ServerSettingKey) -> Int? {
        guard let v = values[key.rawValue] else { return nil }
        if let s = v.stringValue { return DurationText.seconds(s).map { Int(($0 * 1000).rounded()) } }
        return v.doubleValue.map { Int($0) }
    }

    public func seconds(_ key: ServerSettingKey) -> Double? { milliseconds(key).map { Double($0) / 1000 } }
    public func int(_ key: ServerSettingKey) -> Int? {
        values[key.rawValue]?.intValue.map(Int.init) ?? values[key.rawValue]?.stringValue.flatMap { Int($0) }
    }
    public func double(_ key: ServerSettingKey) -> Double? {
        values[key.rawValue]?.doubleValue ?? values[key.rawValue]?.stringValue.flatMap { DurationText.perSecond($0) }
    }
    public func string(_ key: ServerSettingKey) -> String? { values[key.rawValue]?.stringValue }
}
