import Foundation
import StampedeAuth
import StampedeContract
import StampedeJSON
import Testing

/// RS256 and ES256 tokens checked against a JWKS file, keys chosen by `kid`.
@Suite struct JWKSVerificationTests {
    /// RSA generation is slow-ish: once per suite.
    static let rsa = try! AsymmetricSigningKey.generate(.rs256, keyID: "rsa-1")
    static let ec = try! AsymmetricSigningKey.generate(.es256, keyID: "ec-1")

    /// The file is deleted before the first verify: keys are read up front.
    func jwksVerifier(_ keys: [AsymmetricSigningKey], audience: String? = nil) async throws -> TokenVerifier {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("jwks.json").path
        try AsymmetricSigningKey.writeJWKS(keys, to: path)
        let v = try verifier(jwks: path, audience: audience)
        try await v.ready()
        return v
    }

    @Test func rs256ByKid() async throws {
        let v = try await jwksVerifier([Self.rsa, Self.ec])
        let token = try Self.rsa.mint(goodClaims(user: "rsa-user", role: .service))
        #expect(try await v.verify(token).get() == Principal(userID: "rsa-user", role: .service))
    }

    @Test func es256ByKid() async throws {
        let v = try await jwksVerifier([Self.rsa, Self.ec])
        #expect(try await v.verify(Self.ec.mint(goodClaims(user: "ec-user"))).get().userID == "ec-user")
    }

    @Test func hs256SecretStillWorksAlongsideJWKS() async throws {
        let v = try await jwksVerifier([Self.ec])
        #expect(try await v.verify(TokenMinter(secret: testSecret).mint(goodClaims(user: "h"))).get().userID == "h")
    }

    @Test func keyNotInTheFileIsAnInvalidSignature() async throws {
        let stranger = try AsymmetricSigningKey.generate(.es256, keyID: "ec-1")   // same kid, other key
        let unknownKid = try AsymmetricSigningKey.generate(.es256, keyID: "nobody")
        let v = try await jwksVerifier([Self.ec])
        #expect(await v.verify(try stranger.mint(goodClaims())) == .failure(.tokenInvalidSignature))
        #expect(await v.verify(try unknownKid.mint(goodClaims())) == .failure(.tokenInvalidSignature))
    }

    @Test func asymmetricTokensWithoutJWKSAreInvalidSignatures() async throws {
        let v = try verifier()
        #expect(await v.verify(try Self.rsa.mint(goodClaims())) == .failure(.tokenInvalidSignature))
        #expect(await v.verify(try Self.ec.mint(goodClaims())) == .failure(.tokenInvalidSignature))
    }

    @Test func claimRulesApplyToAsymmetricTokens() async throws {
        let v = try await jwksVerifier([Self.rsa, Self.ec], audience: "api")
        var expired = goodClaims()
        expired.aud = "api"
        expired.exp = fixedNow.addingTimeInterval(-600)
        #expect(await v.verify(try Self.rsa.mint(expired)) == .failure(.tokenExpired))
        var wrongAud = goodClaims()
        wrongAud.aud = "web"
        #expect(await v.verify(try Self.ec.mint(wrongAud)) == .failure(.audienceMismatch))
    }

    @Test func privateKeyPEMRoundTrips() async throws {
        let reloaded = try AsymmetricSigningKey(pem: Self.ec.privateKeyPEM, algorithm: .es256, keyID: "ec-1")
        let v = try await jwksVerifier([Self.ec])
        #expect(try await v.verify(reloaded.mint(goodClaims(user: "pem"))).get().userID == "pem")
    }

    @Test func publishedJWKHasTheStandardFields() throws {
        let rsa = try Self.rsa.publicJWK()
        #expect(rsa["kty"] == "RSA" && rsa["alg"] == "RS256" && rsa["kid"] == "rsa-1")
        #expect(rsa["e"] == "AQAB")
        let ec = try Self.ec.publicJWK()
        #expect(ec["kty"] == "EC" && ec["crv"] == "P-256" && ec["x"]?.stringValue?.count == 43)
        #expect(rsa["d"] == nil && ec["d"] == nil)
    }

    @Test func brokenJWKSFilesRefuseToStart() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: TokenVerifierSetupError.self) { try verifier(jwks: dir.appendingPathComponent("absent.json").path) }
        let notJWKS = dir.appendingPathComponent("bad.json")
        try Data("{\"nope\":1}".utf8).write(to: notJWKS)
        #expect(throws: TokenVerifierSetupError.self) { try verifier(jwks: notJWKS.path) }
        let noKid = dir.appendingPathComponent("nokid.json")
        var jwk = try Self.ec.publicJWK().objectValue!
        jwk["kid"] = nil
        try Data(JSONValue.object(["keys": .array([.object(jwk)])]).serializedBytes).write(to: noKid)
        #expect(throws: TokenVerifierSetupError.self) { try verifier(jwks: noKid.path) }
    }
}
