import StampedeJSON

/// Where a client put its token (PROTOCOL §2), in order of precedence:
/// the Socket.IO CONNECT payload `{"token":…}`, the handshake's
/// `Authorization: Bearer …` header, the handshake URL's `token` parameter.
public enum TokenSource {
    /// - Parameters:
    ///   - auth: the CONNECT packet's payload, if any.
    ///   - headers: handshake request headers; names are matched
    ///     case-insensitively because HTTP header names are.
    ///   - query: the handshake URL's query parameters.
    /// - Returns: the first non-empty token found, or nil (→ `token_missing`).
    public static func extract(auth: JSONValue?, headers: [String: String], query: [String: String]) -> String? {
        if case .string(let t)? = auth?["token"], !t.isEmpty { return t }
        if let t = bearer(headers), !t.isEmpty { return t }
        if let t = query["token"], !t.isEmpty { return t }
        return nil
    }

    /// The credentials of an `Authorization: Bearer <jwt>` header; the
    /// scheme name is case-insensitive (RFC 7235 §2.1).
    public static func bearer(_ headers: [String: String]) -> String? {
        guard let value = headers.first(where: { $0.key.lowercased() == "authorization" })?.value else { return nil }
        let trimmed = value.drop(while: { $0 == " " })
        guard trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " else { return nil }
        let token = trimmed.dropFirst(7).trimmingSpaces
        return token.isEmpty ? nil : String(token)
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[first...last]
    }
}
