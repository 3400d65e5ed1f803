import ExtrasBase64
import Foundation

/// The lossless JSON form of a histogram: its layout plus every non-empty
/// bucket, as base64 of LEB128 varints `(value delta, count)` in ascending
/// value order. A 60 s / 3-digit histogram is ~17k counters in memory but a
/// few hundred bytes here, and decoding re-records each bucket at its
/// highest-equivalent value, which lands it in the same bucket — so merging
/// or comparing decoded reports is exact. The raw min and max travel too:
/// HdrHistogram clamps percentiles to them, so without them a decoded p99 could
/// differ from the original by a bucket's width.
extension LatencyHistogram: Codable {
    public static let encodingName = "hdr-sparse-varint-v1"

    enum CodingKeys: String, CodingKey {
        case encoding
        case highestTrackableMicros = "highest_trackable_micros"
        case significantDigits = "significant_digits"
        case count
        case min
        case max
        case clamped
        case buckets
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.encodingName, forKey: .encoding)
        try c.encode(highestTrackableMicros, forKey: .highestTrackableMicros)
        try c.encode(significantDigits, forKey: .significantDigits)
        try c.encode(count, forKey: .count)
        try c.encode(storage.totalCount == 0 ? 0 : storage.min, forKey: .min)
        try c.encode(storage.maxRecorded, forKey: .max)
        try c.encode(clampedCount, forKey: .clamped)
        try c.encode(Self.encodeBuckets(buckets()), forKey: .buckets)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let encoding = try c.decode(String.self, forKey: .encoding)
        guard encoding == Self.encodingName else {
            throw DecodingError.dataCorruptedError(forKey: .encoding, in: c,
                debugDescription: "unsupported histogram encoding \(encoding)")
        }
        self.init(highestTrackableMicros: try c.decode(UInt64.self, forKey: .highestTrackableMicros),
                  significantDigits: try c.decode(Int.self, forKey: .significantDigits))
        let text = try c.decode(String.self, forKey: .buckets)
        guard let buckets = Self.decodeBuckets(text) else {
            throw DecodingError.dataCorruptedError(forKey: .buckets, in: c, debugDescription: "malformed histogram buckets")
        }
        let rawMin = try c.decodeIfPresent(UInt64.self, forKey: .min)
        let rawMax = try c.decodeIfPresent(UInt64.self, forKey: .max)
        restore(buckets, rawMin: rawMin, rawMax: rawMax)
        let expected = try c.decode(UInt64.self, forKey: .count)
        guard count == expected else {
            throw DecodingError.dataCorruptedError(forKey: .count, in: c,
                debugDescription: "histogram count \(expected) does not match its buckets (\(count))")
        }
        clamped = try c.decodeIfPresent(UInt64.self, forKey: .clamped) ?? 0
    }

    /// Re-records each bucket; the buckets holding the raw min and max are recorded
    /// at those exact values (same bucket, so the counts are unchanged) to restore them.
    mutating func restore(_ buckets: [(value: UInt64, count: UInt64)], rawMin: UInt64?, rawMax: UInt64?) {
        for b in buckets {
            let holdsMin = rawMin.map { $0 != 0 && storage.valuesAreEquivalent($0, b.value) } ?? false
            let holdsMax = rawMax.map { $0 != 0 && storage.valuesAreEquivalent($0, b.value) } ?? false
            switch (holdsMin, holdsMax) {
            case (true, true) where b.count > 1 && rawMin! != rawMax!:
                storage.record(rawMin!, count: 1)
                storage.record(rawMax!, count: b.count - 1)
            case (_, true):
                storage.record(rawMax!, count: b.count)
            case (true, false):
                storage.record(rawMin!, count: b.count)
            default:
                storage.record(b.value, count: b.count)
            }
        }
    }

    static func encodeBuckets(_ buckets: [(value: UInt64, count: UInt64)]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(buckets.count * 4)
        var previous: UInt64 = 0
        for b in buckets {
            Varint.append(b.value &- previous, to: &bytes)
            Varint.append(b.count, to: &bytes)
            previous = b.value
        }
        return Base64.encodeToString(bytes: bytes)
    }

    static func decodeBuckets(_ text: String) -> [(value: UInt64, count: UInt64)]? {
        guard let bytes = try? Base64.decode(string: text) else { return nil }
        var out: [(value: UInt64, count: UInt64)] = []
        var i = 0
        var value: UInt64 = 0
        while i < bytes.count {
            guard let delta = Varint.read(bytes, at: &i), let count = Varint.read(bytes, at: &i) else { return nil }
            let (sum, overflow) = value.addingReportingOverflow(delta)
            guard !overflow else { return nil }
            value = sum
            out.append((value, count))
        }
        return out
    }
}

/// LEB128 unsigned varints.
enum Varint {
    static func append(_ v: UInt64, to bytes: inout [UInt8]) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    static func read(_ bytes: [UInt8], at i: inout Int) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            guard shift < 64 else { return nil }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
        return nil
    }
}
