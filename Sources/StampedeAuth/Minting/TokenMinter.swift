import Crypto
import Foundation
import StampedeContract

/// Mints HS256 tokens with the server's shared secret — for tests, the CLI
/// and the load generator, which needs thousands of them up front. Pure and
/// synchronous: no actor, no event loop.
public struct TokenMinter: Sendable {
    private let signer: HS256Signer

    public init(secret: String) {
        signer = HS256Signer(key: SymmetricKey(data: Array(secret.utf8)))
    }

    public func mint(_ claims: TokenClaims) throws -> String {
        try signer.compact(claims.json)
    }

    /// A valid token for `user`: `sub`, `iat` now, `exp` `expiresIn` from now.
    public func mint(user: String, role: Role? = nil, expiresIn: TimeInterval = 3600, audience: String? = nil) throws -> String {
        try mint(Self.claims(user: user, role: role, expiresIn: expiresIn, audience: audience, now: Date()))
    }

    /// One of the load generator's token variants; nil for `.missing`.
    /// `audience` is what the target server expects (variants other than
    /// `.wrongAudience` carry it so they fail only in the intended way).
    public func mint(_ variant: TokenVariant, user: String, role: Role? = nil, audience: String? = nil,
                     now: Date = Date()) throws -> String? {
        var claims = Self.claims(user: user, role: role, expiresIn: 3600, audience: audience, now: now)
        switch variant {
        case .valid:
            break
        case .missing:
            return nil
        case .malformed:
            return "not-a-jwt"
        case .missingClaims:
            claims.sub = nil
        case .expired:
            claims.iat = now.addingTimeInterval(-7200)
            claims.exp = now.addingTimeInterval(-3600)
        case .notYetValid:
            claims.nbf = now.addingTimeInterval(3600)
            claims.exp = now.addingTimeInterval(7200)
        case .wrongAudience:
            claims.aud = (audience ?? "stampede") + "-not-this-server"
        case .badSignature:
            let token = try mint(claims)
            return Self.corruptingSignature(token)
        }
        return try mint(claims)
    }

    static func claims(user: String, role: Role?, expiresIn: TimeInterval, audience: String?, now: Date) -> TokenClaims {
        // Whole seconds: NumericDate is usually integral and short tokens are cheap to send by the thousand.
        let t = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        return TokenClaims(sub: user, role: role, exp: t.addingTimeInterval(expiresIn.rounded()), iat: t, aud: audience)
    }

    /// Keeps the token well-formed and flips the signature's first byte, so
    /// only the signature check can reject it.
    static func corruptingSignature(_ token: String) -> String {
        guard let dot = token.lastIndex(of: "."),
              var sig = Base64URL.decode(token[token.index(after: dot)...]), !sig.isEmpty else { return token }
        sig[0] ^= 0xFF
        return String(token[...dot]) + Base64URL.encode(sig)
    }
}
