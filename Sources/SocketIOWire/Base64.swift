import ExtrasBase64

/// Standard base64 (RFC 4648, padded) for binary polling packets, attachments and the
/// WebSocket handshake: a strict facade over swift-extras-base64, the one base64
/// implementation the project uses (tokens use its base64url alphabet).
public enum Base64 {
    public static func encode(_ bytes: [UInt8]) -> String {
        ExtrasBase64.Base64.encodeToString(bytes: bytes)
    }

    /// nil for anything that is not padded standard base64.
    public static func decode(_ text: Substring) -> [UInt8]? {
        guard text.utf8.count % 4 == 0 else { return nil }
        return try? ExtrasBase64.Base64.decode(bytes: text.utf8)
    }
}
