import Foundation
import JWTKit
import StampedeContract
import StampedeJSON

/// Turns a token into a `Principal` or the exact `AuthFailureCode` of
/// PROTOCOL §2.
///
/// jwt-kit checks signatures; its key collection is an actor, so `verify`
/// is async and callers run it off the event loop (the server resolves the
/// result back onto the session's loop). Everything jwt-kit would report
/// vaguely — a token that is not a JWT, a missing claim, the time window —
/// is decided here first, so each failure maps to one code.
public final class TokenVerifier: Sendable {
    public let configuration: TokenVerifierConfiguration
    private let rules: ClaimRules
    private let now: @Sendable () -> Date
    /// Filled once, at init; every verify awaits the same finished task.
    private let keys: Task<JWTKeyCollection, any Error>

    public convenience init(_ configuration: TokenVerifierConfiguration) throws {
        try self.init(configuration, now: { Date() })
    }

    /// `now` is injectable so leeway edges are testable without sleeping.
    public init(_ configuration: TokenVerifierConfiguration, now: @escaping @Sendable () -> Date) throws {
        guard !configuration.secret.isEmpty else { throw TokenVerifierSetupError("the JWT secret must not be empty") }
        let jwks = try configuration.jwksFile.map(JWKSFile.load)
        let secret = configuration.secret
        self.configuration = configuration
        self.rules = ClaimRules(leewaySeconds: configuration.leewaySeconds, audience: configuration.audience)
        self.now = now
        self.keys = Task {
            let keys = JWTKeyCollection()
            // Added first, so it stays the default signer for tokens without a known kid.
            await keys.add(hmac: HMACKey(from: TokenVerifier.hmacKeyBytes(secret)), digestAlgorithm: .sha256)
            if let jwks {
                for jwk in jwks.keys { try await keys.add(jwk: jwk, isDefault: false) }
            }
            return keys
        }
    }

    /// jwt-kit asserts (and will require) HMAC keys of at least 32 bytes,
    /// but `dev-secret` and many real shared secrets are shorter. HMAC pads
    /// any key shorter than the hash block (64 bytes) with zeros, so padding
    /// it with zeros to 32 bytes here yields byte-identical signatures.
    static func hmacKeyBytes(_ secret: String) -> [UInt8] {
        var bytes = Array(secret.utf8)
        if bytes.count < 32 { bytes += [UInt8](repeating: 0, count: 32 - bytes.count) }
        return bytes
    }

    /// Waits until the keys are registered and surfaces a JWKS key jwt-kit
    /// rejects. A server awaits this before it reports that it is listening.
    public func ready() async throws {
        _ = try await keys.value
    }

    public func verify(_ token: String?) async -> Result<Principal, AuthFailureCode> {
        guard let token, !token.isEmpty else { return .failure(.tokenMissing) }
        let parsed: CompactToken
        switch CompactToken.decode(token) {
        case .success(let t): parsed = t
        case .failure(let code): return .failure(code)
        }
        guard CompactToken.supportedAlgorithms.contains(parsed.algorithm) else {
            return .failure(.tokenInvalidSignature)
        }
        do {
            _ = try await keys.value.verify(token, as: UncheckedPayload.self)
        } catch let error as JWTError where error.errorType == .malformedToken {
            return .failure(.tokenMalformed)
        } catch {
            // Bad signature, unknown kid, key/algorithm mismatch: the token
            // is not proven to come from anyone we trust.
            return .failure(.tokenInvalidSignature)
        }
        return rules.check(parsed.payload, now: now())
    }
}

/// jwt-kit insists on decoding a payload type; the claims were already
/// parsed by `CompactToken` and are judged by `ClaimRules`, so this one
/// reads nothing and checks nothing.
private struct UncheckedPayload: JWTPayload {
    init(from decoder: any Decoder) throws {}
    func encode(to encoder: any Encoder) throws {}
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
