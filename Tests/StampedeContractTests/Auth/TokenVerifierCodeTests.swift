import Foundation
import JWTKit
import StampedeAuth
import StampedeContract
import StampedeJSON
import Testing

/// One test per CONNECT_ERROR code of PROTOCOL §2 that token checking decides.
@Suite struct TokenVerifierCodeTests {
    let minter = TokenMinter(secret: testSecret)

    @Test func validTokenYieldsPrincipalWithRole() async throws {
        let v = try verifier()
        #expect(try await v.verify(minter.mint(goodClaims(user: "alice", role: .service))).get()
            == Principal(userID: "alice", role: .service))
        #expect(try await v.verify(minter.mint(goodClaims(user: "bob"))).get() == Principal(userID: "bob", role: .user))
        #expect(try await v.verify(minter.mint(goodClaims(role: .admin))).get().role == .admin)
    }

    @Test func unknownRoleStringIsLeastPrivilegeButNonStringRoleIsMalformed() async throws {
        let v = try verifier()
        var c = goodClaims()
        c.extra["role"] = "authenticated"
        #expect(try await v.verify(minter.mint(c)).get().role == .user)
        c.extra["role"] = 7
        #expect(await v.verify(try minter.mint(c)) == .failure(.tokenMalformed))
    }

    @Test func tokenMissing() async throws {
        let v = try verifier()
        #expect(await v.verify(nil) == .failure(.tokenMissing))
        #expect(await v.verify("") == .failure(.tokenMissing))
    }

    @Test(arguments: [
        "not-a-jwt", "a.b", "a.b.c.d", "..", "!!!.???.***",
        base64url("{\"alg\":\"HS256\"}") + "." + base64url("not json") + ".c2ln",
        base64url("[1]") + "." + base64url("{\"sub\":\"u\"}") + ".c2ln",
        base64url("{\"typ\":\"JWT\"}") + "." + base64url("{\"sub\":\"u\",\"exp\":1}") + ".c2ln",
        base64url("{\"alg\":\"HS256\",\"kid\":5}") + "." + base64url("{\"sub\":\"u\",\"exp\":1}") + ".c2ln",
    ])
    func tokenMalformedShapes(_ token: String) async throws {
        #expect(try await verifier().verify(token) == .failure(.tokenMalformed))
    }

    @Test func paddedBase64IsMalformed() async throws {
        let token = try minter.mint(goodClaims(user: "pad"))
        let parts = token.split(separator: ".")
        // {"alg":"HS256","typ":"JWT"} is 27 bytes; padding would add "=".
        let padded = String(parts[0]) + "=." + parts[1] + "." + parts[2]
        #expect(try await verifier().verify(padded) == .failure(.tokenMalformed))
    }

    @Test func missingRequiredClaimsAreMalformed() async throws {
        let v = try verifier()
        var noSub = goodClaims()
        noSub.sub = nil
        #expect(await v.verify(try minter.mint(noSub)) == .failure(.tokenMalformed))
        var emptySub = goodClaims()
        emptySub.sub = ""
        #expect(await v.verify(try minter.mint(emptySub)) == .failure(.tokenMalformed))
        var noExp = goodClaims()
        noExp.exp = nil
        #expect(await v.verify(try minter.mint(noExp)) == .failure(.tokenMalformed))
        var stringExp = goodClaims()
        stringExp.extra["exp"] = "tomorrow"
        #expect(await v.verify(try minter.mint(stringExp)) == .failure(.tokenMalformed))
        var numericSub = goodClaims()
        numericSub.extra["sub"] = 42
        #expect(await v.verify(try minter.mint(numericSub)) == .failure(.tokenMalformed))
    }

    @Test func tokenInvalidSignature() async throws {
        let v = try verifier()
        #expect(await v.verify(try TokenMinter(secret: "another-secret").mint(goodClaims()))
            == .failure(.tokenInvalidSignature))
        let good = try minter.mint(goodClaims())
        var tampered = good.split(separator: ".").map(String.init)
        tampered[1] = base64url("{\"sub\":\"admin\",\"exp\":1900000000}")
        #expect(await v.verify(tampered.joined(separator: ".")) == .failure(.tokenInvalidSignature))
        let unsigned = base64url("{\"alg\":\"none\"}") + "." + base64url("{\"sub\":\"u\",\"exp\":1900000000}") + "."
        #expect(await v.verify(unsigned) == .failure(.tokenInvalidSignature))
    }

    @Test func badSignatureWinsOverBadClaims() async throws {
        var expired = goodClaims()
        expired.exp = fixedNow.addingTimeInterval(-3600)
        let forged = try TokenMinter(secret: "another-secret").mint(expired)
        #expect(try await verifier().verify(forged) == .failure(.tokenInvalidSignature))
    }

    @Test func tokenExpired() async throws {
        var c = goodClaims()
        c.exp = fixedNow.addingTimeInterval(-60)
        #expect(try await verifier().verify(try minter.mint(c)) == .failure(.tokenExpired))
    }

    @Test func tokenNotYetValidByNbfAndByIat() async throws {
        var nbf = goodClaims()
        nbf.nbf = fixedNow.addingTimeInterval(60)
        #expect(try await verifier().verify(try minter.mint(nbf)) == .failure(.tokenNotYetValid))
        var iat = goodClaims()
        iat.iat = fixedNow.addingTimeInterval(60)
        #expect(try await verifier().verify(try minter.mint(iat)) == .failure(.tokenNotYetValid))
    }

    @Test func audienceCheckedOnlyWhenConfigured() async throws {
        var c = goodClaims()
        c.aud = "stampede"
        #expect(try await verifier(audience: "stampede").verify(minter.mint(c)).get().userID == "u1")
        #expect(try await verifier().verify(minter.mint(c)).get().userID == "u1")
        c.aud = "someone-else"
        #expect(try await verifier(audience: "stampede").verify(try minter.mint(c)) == .failure(.audienceMismatch))
        c.aud = nil
        #expect(try await verifier(audience: "stampede").verify(try minter.mint(c)) == .failure(.audienceMismatch))
    }

    @Test func audienceMayBeAnArray() async throws {
        var c = goodClaims()
        c.extra["aud"] = ["other", "stampede"]
        #expect(try await verifier(audience: "stampede").verify(minter.mint(c)).get().userID == "u1")
        c.extra["aud"] = ["other", "third"]
        #expect(try await verifier(audience: "stampede").verify(try minter.mint(c)) == .failure(.audienceMismatch))
    }

    /// The documented default secret is 10 bytes; jwt-kit's HMAC signer
    /// asserts on keys under 32 bytes, so HS256 must not go through it.
    @Test func shortSecretsLikeTheDefaultWork() async throws {
        let v = try verifier(secret: "dev-secret")
        #expect(try await v.verify(TokenMinter(secret: "dev-secret").mint(goodClaims(user: "dev"))).get().userID == "dev")
        #expect(try await verifier(secret: "S").verify(TokenMinter(secret: "S").mint(goodClaims())).get().userID == "u1")
        #expect(await v.verify(try TokenMinter(secret: "dev-secreT").mint(goodClaims())) == .failure(.tokenInvalidSignature))
    }

    @Test func emptySecretRefusesToStart() {
        #expect(throws: TokenVerifierSetupError.self) { try TokenVerifier(.init(secret: "")) }
    }

    /// A token signed by jwt-kit itself, not by our minter, proves the two
    /// agree on the HS256 wire format.
    @Test func acceptsTokenSignedByJWTKit() async throws {
        struct Claims: JWTPayload {
            var sub: SubjectClaim
            var exp: ExpirationClaim
            var role: String
            func verify(using algorithm: some JWTAlgorithm) async throws {}
        }
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: testSecret), digestAlgorithm: .sha256)
        let token = try await keys.sign(Claims(sub: "kit-user", exp: .init(value: fixedNow.addingTimeInterval(600)), role: "service"))
        #expect(try await verifier().verify(token).get() == Principal(userID: "kit-user", role: .service))
    }

    @Test func realClockAcceptsFreshlyMintedToken() async throws {
        let v = try TokenVerifier(.init(secret: testSecret))
        try await v.ready()
        #expect(try await v.verify(minter.mint(user: "now-user")).get().userID == "now-user")
        #expect(await v.verify(try minter.mint(user: "gone", expiresIn: -60)) == .failure(.tokenExpired))
    }
}

/// The non-suspending entry point answers exactly like `verify` and defers only JWKS tokens.
@Suite struct VerifyWithoutSuspendingTests {
    @Test func sameAnswersAsVerify() async throws {
        let v = try verifier()
        let minter = TokenMinter(secret: testSecret)
        var expired = goodClaims()
        expired.exp = fixedNow.addingTimeInterval(-600)
        for token in [nil, "", "x.y", try minter.mint(goodClaims(role: .admin)), try minter.mint(expired),
                      try TokenMinter(secret: "other").mint(goodClaims())] as [String?] {
            #expect(v.verifyWithoutSuspending(token) == (await v.verify(token)))
        }
    }

    @Test func jwksTokensAreDeferred() async throws {
        let key = try AsymmetricSigningKey.generate(.es256, keyID: "defer-1")
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("jwks.json").path
        try AsymmetricSigningKey.writeJWKS([key], to: path)
        let v = try verifier(jwks: path)
        let token = try key.mint(goodClaims(user: "deferred"))
        #expect(v.verifyWithoutSuspending(token) == nil)
        #expect(try await v.verify(token).get().userID == "deferred")
        // An unknown kid is decided at once.
        let other = try AsymmetricSigningKey.generate(.es256, keyID: "unknown")
        #expect(v.verifyWithoutSuspending(try other.mint(goodClaims())) == .failure(.tokenInvalidSignature))
    }
}
