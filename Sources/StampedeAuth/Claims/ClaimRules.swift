import Foundation
import StampedeContract
import StampedeJSON

/// The claim checks of PROTOCOL §2, kept apart from signature checking so
/// the exact code chosen for each failure is a pure, clock-injected function.
///
/// Order matters when a token is wrong in several ways: shape first
/// (`token_malformed`), then time (`token_expired` before
/// `token_not_yet_valid`), then `audience_mismatch`.
public struct ClaimRules: Sendable {
    /// Seconds of clock skew forgiven on `exp`, `nbf` and `iat`.
    public var leewaySeconds: Double
    /// When set, `aud` (a string or an array of strings) must contain it.
    public var audience: String?

    public init(leewaySeconds: Double = 5, audience: String? = nil) {
        self.leewaySeconds = leewaySeconds
        self.audience = audience
    }

    public func check(_ payload: JSONObject, now: Date) -> Result<Principal, AuthFailureCode> {
        guard case .string(let sub)? = payload["sub"], !sub.isEmpty else { return .failure(.tokenMalformed) }
        guard let exp = payload["exp"].flatMap(Self.seconds) else { return .failure(.tokenMalformed) }
        let nbf = payload["nbf"]
        let iat = payload["iat"]
        if let nbf, Self.seconds(nbf) == nil { return .failure(.tokenMalformed) }
        if let iat, Self.seconds(iat) == nil { return .failure(.tokenMalformed) }
        guard let role = Self.role(payload["role"]) else { return .failure(.tokenMalformed) }

        let t = now.timeIntervalSince1970
        // RFC 7519 §4.1.4: the token is valid only *before* exp.
        if t >= exp + leewaySeconds { return .failure(.tokenExpired) }
        if let n = nbf.flatMap(Self.seconds), n > t + leewaySeconds { return .failure(.tokenNotYetValid) }
        if let i = iat.flatMap(Self.seconds), i > t + leewaySeconds { return .failure(.tokenNotYetValid) }

        if let audience {
            switch payload["aud"] {
            case .string(let a)? where a == audience: break
            case .array(let list)? where list.contains(.string(audience)): break
            default: return .failure(.audienceMismatch)
            }
        }
        return .success(Principal(userID: sub, role: role))
    }

    /// NumericDate: any JSON number (RFC 7519 §2 allows fractions).
    static func seconds(_ v: JSONValue) -> Double? {
        switch v {
        case .int(let i): return Double(i)
        case .double(let d) where d.isFinite: return d
        default: return nil
        }
    }

    /// Absent means `user`. A string the contract does not know (Supabase
    /// writes `authenticated`) also means `user` — least privilege, not a
    /// refusal — but a non-string role is a malformed token.
    static func role(_ v: JSONValue?) -> Role? {
        switch v {
        case nil, .null?: return .user
        case .string(let s)?: return Role(rawValue: s) ?? .user
        default: return nil
        }
    }
}
