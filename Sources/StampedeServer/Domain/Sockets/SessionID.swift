/// Session ids — the Engine.IO `sid`, the Socket.IO `sid` and the recovery
/// `pid`: 20 base64url characters carrying 120 bits from the system's CSPRNG
/// (they are bearer secrets for a polling session and a recovery, so never a
/// seeded PRNG). Two `UInt64` draws written into the string's own storage:
/// no array, no `Character`s, no draw per character (the old ids cost an
/// array and twenty draws each, two or three ids per connect).
enum SessionID {
    static let length = 20
    /// The URL- and filename-safe alphabet of RFC 4648 §5.
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func make() -> String {
        var rng = SystemRandomNumberGenerator()
        return make(high: rng.next(), low: rng.next())
    }

    /// The id of two draws: 60 bits of each, six bits per character.
    static func make(high: UInt64, low: UInt64) -> String {
        alphabet.withUnsafeBufferPointer { a in
            String(unsafeUninitializedCapacity: length) { out in
                var h = high, l = low
                for i in 0..<10 {
                    out[i] = a[Int(truncatingIfNeeded: h & 63)]
                    out[10 + i] = a[Int(truncatingIfNeeded: l & 63)]
                    h >>= 6
                    l >>= 6
                }
                return length
            }
        }
    }
}
