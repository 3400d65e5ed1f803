#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers

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
        let (high, low) = entropy.withLockedValue { $0.drawPair() }
        return make(high: high, low: low)
    }

    /// The system CSPRNG's bytes, read 4 KiB at a time: `SystemRandomNumberGenerator` makes one
    /// `getrandom` call per draw, two per id, and those calls were 1.4 % of a connect's server
    /// CPU (docs/BENCHMARKS.md §19).
    private static let entropy = NIOLockedValueBox(EntropyPool())

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

/// Words from `/dev/urandom` (the kernel's CSPRNG, as `getrandom` is), used once each and
/// refilled when spent; without the device, each draw falls back to `SystemRandomNumberGenerator`.
struct EntropyPool {
    private var words = [UInt64](repeating: 0, count: 512)
    private var next = 512
    private var device: Int32 = -2  // not opened yet; -1: could not be

    mutating func drawPair() -> (UInt64, UInt64) {
        if next + 2 > words.count, !refill() {
            var rng = SystemRandomNumberGenerator()
            return (rng.next(), rng.next())
        }
        defer { next += 2 }
        return (words[next], words[next + 1])
    }

    private mutating func refill() -> Bool {
        if device == -2 { device = open("/dev/urandom", O_RDONLY | O_CLOEXEC) }
        guard device >= 0 else { return false }
        let fd = device
        let filled = words.withUnsafeMutableBytes { raw -> Bool in
            var got = 0
            while got < raw.count {
                let n = read(fd, raw.baseAddress! + got, raw.count - got)
                if n > 0 { got += n } else if n < 0, errno == EINTR { continue } else { return false }
            }
            return true
        }
        guard filled else { return false }
        next = 0
        return true
    }
}
