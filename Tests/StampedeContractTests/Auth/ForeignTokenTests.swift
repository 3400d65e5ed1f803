import Foundation
import StampedeAuth
import StampedeContract
import Testing

/// Tokens and a JWKS made by PyJWT + cryptography (not by this package), recorded
/// once: the verifier must accept what another JWT implementation writes.
/// `fixedNow` (1_800_000_000) lies inside their iat…exp window.
@Suite struct ForeignTokenTests {
    static let jwks = #"{"keys": [{"kty": "EC", "crv": "P-256", "x": "QtyV1JWLDRw9G1maRlt8xvMXvMZ_SlGNX5g5QTavcew", "y": "AQxT5MIoXuE_PL9t9Eamk4ifJVT2__nr-gJFEAZzb68", "kid": "py-ec", "alg": "ES256"}]}"#
    /// HS256 with `testSecret`: {"sub":"py-user","role":"service","iat":1799999000,"exp":1800003600}
    static let hs256 = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJweS11c2VyIiwicm9sZSI6InNlcnZpY2UiLCJpYXQiOjE3OTk5OTkwMDAsImV4cCI6MTgwMDAwMzYwMH0.R06i2AzmLuxfesKXJdP7Vp8lwuAZ3GzCqcYfqUhX7xc"
    /// ES256, kid py-ec, the same claims plus "aud":["x","stampede"].
    static let es256 = "eyJhbGciOiJFUzI1NiIsImtpZCI6InB5LWVjIiwidHlwIjoiSldUIn0.eyJzdWIiOiJweS11c2VyIiwicm9sZSI6InNlcnZpY2UiLCJpYXQiOjE3OTk5OTkwMDAsImV4cCI6MTgwMDAwMzYwMCwiYXVkIjpbIngiLCJzdGFtcGVkZSJdfQ.R1AEA2pE-3iRF0nBacjhskuyxgopfAgIv3eyDHiNhiZAKyqlIgk9qWRg4FUxSJuJZml1s4s6a5ilKKdxzOIJ5Q"

    @Test func pyjwtHS256() async throws {
        #expect(try await verifier().verify(Self.hs256).get() == Principal(userID: "py-user", role: .service))
        #expect(try await verifier(now: fixedNow.addingTimeInterval(3700)).verify(Self.hs256) == .failure(.tokenExpired))
    }

    @Test func pyjwtES256FromAForeignJWKS() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("jwks.json").path
        try Data(Self.jwks.utf8).write(to: URL(fileURLWithPath: path))
        let v = try verifier(jwks: path, audience: "stampede")
        try await v.ready()
        #expect(try await v.verify(Self.es256).get() == Principal(userID: "py-user", role: .service))
        var forged = Self.es256
        forged.removeLast(2)
        forged += "AA"
        #expect(await v.verify(forged) == .failure(.tokenInvalidSignature))
    }
}
