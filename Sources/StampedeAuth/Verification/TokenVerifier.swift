import Crypto
import Foundation
import JWTKit
import StampedeContract
import StampedeJSON

/// Turns a token into a `Principal` or the exact `AuthFailureCode` of
/// PROTOCOL §2.
///
/// HS256 (the default, and every token the load generator mints) is checked
/// here with swift-crypto, synchronously: jwt-kit's HMAC signer asserts that
/// the secret is at least 32 bytes, which would crash debug builds on the
/// documented default `dev-secret`. RS256/ES256 tokens whose `kid` names a
/// JWKS key go to jwt-kit; its key collection is an actor, so `verify` is
/// async and callers run it off the event loop. Everything jwt-kit would
/// report vaguely — a token that is not a JWT, a missing claim, the time
/// window — is decided here, so each failure maps to one code.
public final class TokenVerifier: Sendable {
    public let configuration: TokenVerifierConfiguration
    private let rules: ClaimRules
    private let now: @Sendable () -> Date
    /// HS256's HMAC with the secret already keyed in; every check starts from a copy.
    private let keyedHS256: HMAC<SHA256>
    /// Kids of the JWKS file, known synchronously so a token is routed without a hop.
    private let jwksKeyIDs: Set<String>
    /// Filled once, at init; every asymmetric verify awaits the same finished task.
    private let keys: Task<JWTKeyCollection, any Error>

    public convenience init(_ configuration: TokenVerifierConfiguration) throws {
        try self.init(configuration, now: { Date() })
    }

    /// `now` is injectable so leeway edges are testable without sleeping.
    public init(_ configuration: TokenVerifierConfiguration, now: @escaping @Sendable () -> Date) throws {
        guard !configuration.secret.isEmpty else { throw TokenVerifierSetupError("the JWT secret must not be empty") }
        let jwks = try configuration.jwksFile.map(JWKSFile.load)
        self.configuration = configuration
        self.rules = ClaimRules(leewaySeconds: configuration.leewaySeconds, audience: configuration.audience)
        self.now = now
        self.keyedHS256 = HMAC<SHA256>(key: SymmetricKey(data: Array(configuration.secret.utf8)))
        self.jwksKeyIDs = Set(jwks?.keys.compactMap { $0.keyIdentifier?.string } ?? [])
        self.keys = Task {
            let keys = JWTKeyCollection()
            // No default signer: a kid the file does not name must not fall back to some other key.
            for jwk in jwks?.keys ?? [] { try await keys.add(jwk: jwk, isDefault: false) }
            return keys
        }
    }

    /// Waits until the JWKS keys are registered and surfaces a key jwt-kit
    /// rejects. A server awaits this before it reports that it is listening.
    public func ready() async throws {
        _ = try await keys.value
    }

    public func verify(_ token: String?) async -> Result<Principal, AuthFailureCode> {
        switch route(token) {
        case .decided(let result):
            return result
        case .jwks(let token, let parsed):
            do {
                _ = try await keys.value.verify(token, as: UncheckedPayload.self)
            } catch let error as JWTError where error.errorType == .malformedToken {
                return .failure(.tokenMalformed)
            } catch {
                // Bad signature, key/algorithm mismatch: not proven to come from anyone we trust.
                return .failure(.tokenInvalidSignature)
            }
            return rules.check(parsed.payload, now: now())
        }
    }

    /// The same answer as `verify` without suspending, for callers on an
    /// event loop (a CONNECT on the hot path needs no task hop); nil only
    /// for a token whose `kid` names a JWKS key — then call `verify`.
    public func verifyWithoutSuspending(_ token: String?) -> Result<Principal, AuthFailureCode>? {
        if case .decided(let result) = route(token) { return result }
        return nil
    }

    /// From a copy of the keyed HMAC made at init: `HMAC(key:)` pads the key and hashes two
    /// blocks, which was a fifth of a CONNECT's token check. The comparison is constant-time.
    private func isValidHS256(_ signature: [UInt8], over signingInput: Substring) -> Bool {
        var mac = keyedHS256
        var input = signingInput
        input.withUTF8 { mac.update(data: UnsafeRawBufferPointer($0)) }
        return mac.finalize() == signature
    }

    private enum Route {
        case decided(Result<Principal, AuthFailureCode>)
        case jwks(String, CompactToken)
    }

    private func route(_ token: String?) -> Route {
        guard let token, !token.isEmpty else { return .decided(.failure(.tokenMissing)) }
        let parsed: CompactToken
        switch CompactToken.decode(token) {
        case .success(let t): parsed = t
        case .failure(let code): return .decided(.failure(code))
        }
        if let kid = parsed.keyID, jwksKeyIDs.contains(kid), CompactToken.asymmetricAlgorithms.contains(parsed.algorithm) {
            return .jwks(token, parsed)
        }
        // `none`, an algorithm we do not take, or an asymmetric token whose kid we do not hold.
        guard parsed.algorithm == "HS256" else { return .decided(.failure(.tokenInvalidSignature)) }
        guard isValidHS256(parsed.signature, over: parsed.signingInput) else { return .decided(.failure(.tokenInvalidSignature)) }
        return .decided(rules.check(parsed.payload, now: now()))
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
