import StampedeContract

/// The ways a load-generator client can present a token, each built to
/// trip exactly one rule of PROTOCOL §2 so the run can check the code the
/// server answers with.
public enum TokenVariant: String, Sendable, CaseIterable, Codable {
    case valid
    /// No token at all.
    case missing
    /// Not a JWT.
    case malformed
    /// Signed correctly but without `sub`.
    case missingClaims = "missing_claims"
    case expired
    case notYetValid = "not_yet_valid"
    /// Only detectable when the server is configured with an audience.
    case wrongAudience = "wrong_audience"
    case badSignature = "bad_signature"

    /// The CONNECT_ERROR code a conforming server answers with; nil when it must accept.
    public var expectedFailure: AuthFailureCode? {
        switch self {
        case .valid: nil
        case .missing: .tokenMissing
        case .malformed, .missingClaims: .tokenMalformed
        case .expired: .tokenExpired
        case .notYetValid: .tokenNotYetValid
        case .wrongAudience: .audienceMismatch
        case .badSignature: .tokenInvalidSignature
        }
    }
}
