/// How the server checks tokens (PROTOCOL §2; `--jwt-secret`, `--jwks`, `--audience`).
public struct TokenVerifierConfiguration: Sendable {
    /// HS256 shared secret: verifies tokens that carry no `kid`, or a `kid`
    /// the JWKS file does not name.
    public var secret: String
    /// A JWKS document whose RS256/ES256 public keys are chosen by `kid`.
    public var jwksFile: String?
    /// When set, tokens must name it in `aud`.
    public var audience: String?
    /// Seconds of clock skew forgiven on `exp`, `nbf` and `iat`.
    public var leewaySeconds: Double

    public init(secret: String, jwksFile: String? = nil, audience: String? = nil, leewaySeconds: Double = 5) {
        self.secret = secret
        self.jwksFile = jwksFile
        self.audience = audience
        self.leewaySeconds = leewaySeconds
    }
}
