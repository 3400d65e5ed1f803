import Foundation

/// The unpadded base64url alphabet JWS compact serialization uses (RFC 7515 §2).
/// Kept here rather than in the wire codec because only tokens need it.
enum Base64URL {
    static func encode<D: DataProtocol>(_ bytes: D) -> String {
        var s = Data(bytes).base64EncodedString()
        s = s.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while s.last == "=" { s.removeLast() }
        return s
    }

    /// Strict: padding, standard-alphabet characters and whitespace are refused,
    /// so a mangled token is reported as malformed instead of half-decoded.
    static func decode(_ text: Substring) -> [UInt8]? {
        guard text.utf8.count % 4 != 1 else { return nil }
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                continue
            default:
                return nil
            }
        }
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.utf8.count % 4 != 0 { s += "=" }
        guard let d = Data(base64Encoded: s) else { return nil }
        return [UInt8](d)
    }
}
