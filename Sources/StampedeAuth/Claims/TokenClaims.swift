import Foundation
import StampedeContract
import StampedeJSON

/// The claims a Stampede token carries (PROTOCOL §2), as the minter writes them.
///
/// Every field is optional on purpose: tests and the load generator's token
/// variants need to mint tokens that *lack* required claims or carry odd
/// ones, so the type does not enforce the contract — the verifier does.
public struct TokenClaims: Sendable, Equatable {
    public var sub: String?
    public var role: Role?
    public var exp: Date?
    public var nbf: Date?
    public var iat: Date?
    public var aud: String?
    /// Written after the standard claims and overriding them, so a test can
    /// put e.g. an array `aud`, a numeric `sub` or a made-up `role` on the wire.
    public var extra: [String: JSONValue]

    public init(sub: String? = nil, role: Role? = nil, exp: Date? = nil, nbf: Date? = nil, iat: Date? = nil,
                aud: String? = nil, extra: [String: JSONValue] = [:]) {
        self.sub = sub
        self.role = role
        self.exp = exp
        self.nbf = nbf
        self.iat = iat
        self.aud = aud
        self.extra = extra
    }

    /// The JWT payload object. Dates are NumericDate seconds, whole when the
    /// date is whole, so tokens stay short and byte-for-byte predictable.
    public var json: JSONObject {
        var o = JSONObject()
        if let sub { o["sub"] = .string(sub) }
        if let role { o["role"] = .string(role.rawValue) }
        if let iat { o["iat"] = Self.numericDate(iat) }
        if let nbf { o["nbf"] = Self.numericDate(nbf) }
        if let exp { o["exp"] = Self.numericDate(exp) }
        if let aud { o["aud"] = .string(aud) }
        for key in extra.keys.sorted() { o[key] = extra[key] }
        return o
    }

    static func numericDate(_ d: Date) -> JSONValue {
        let t = d.timeIntervalSince1970
        return t.rounded() == t ? .int(Int64(t)) : .double(t)
    }
}
