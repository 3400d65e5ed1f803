import Foundation
import StampedeJSON

/// The one JSON dialect of report.json: sorted keys (stable diffs and golden
/// tests), ISO-8601 UTC times with milliseconds, infinities as strings. Written and read by
/// StampedeJSON's coders, the same stack as the wire.
public enum ReportCoding {
    static let nonFinite = NonFiniteFloats.strings(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")

    public static func encoder() -> JSONValueEncoder {
        var e = JSONValueEncoder()
        e.nonFiniteFloats = nonFinite
        e.special = { value in (value as? Date).map { .string(formatTimestamp($0)) } }
        return e
    }

    public static func decoder() -> JSONValueDecoder {
        var d = JSONValueDecoder()
        d.nonFiniteFloats = nonFinite
        d.special = { type, value, path in
            guard type == Date.self else { return nil }
            guard case .string(let text) = value, let date = parseTimestamp(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "not an ISO-8601 timestamp: \(value.serialized)"))
            }
            return date
        }
        return d
    }

    /// `value` as report.json writes documents: sorted keys, pretty unless asked otherwise.
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = true) throws -> Data {
        Data(try encoder().encodeBytes(value, options: pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decoder().decode(type, from: data)
    }

    /// "2026-11-24T19:03:54.123Z"
    public static func formatTimestamp(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }

    public static func parseTimestamp(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: text)
    }
}

extension RunReport {
    public func jsonData(pretty: Bool = true) throws -> Data {
        try ReportCoding.encode(self, pretty: pretty)
    }

    public static func decode(_ data: Data) throws -> RunReport {
        try ReportCoding.decode(RunReport.self, from: data)
    }

    public static func load(from url: URL) throws -> RunReport {
        try decode(Data(contentsOf: url))
    }
}
