import Foundation
import StampedeAuth
import StampedeContract
import StampedeJSON
import Testing

@Suite struct TokenMinterTests {
    let minter = TokenMinter(secret: testSecret)

    /// Each variant fails in exactly the way the load generator expects.
    @Test(arguments: TokenVariant.allCases)
    func variantGetsItsExpectedCode(_ variant: TokenVariant) async throws {
        let v = try verifier(audience: "stampede")
        let token = try minter.mint(variant, user: "lg-1", audience: "stampede", now: fixedNow)
        let result = await v.verify(token)
        if let expected = variant.expectedFailure {
            #expect(result == .failure(expected))
        } else {
            #expect(try result.get().userID == "lg-1")
        }
    }

    @Test func headerAndClaimsAreTheDocumentedJSON() throws {
        let token = try minter.mint(TokenClaims(sub: "u", role: .admin, exp: Date(timeIntervalSince1970: 2_000_000_000),
                                                iat: Date(timeIntervalSince1970: 1_999_999_000), aud: "a"))
        let parts = token.split(separator: ".")
        #expect(parts.count == 3)
        #expect(parts[0] == Substring(base64url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}")))
        #expect(parts[1] == Substring(base64url("{\"sub\":\"u\",\"role\":\"admin\",\"iat\":1999999000,\"exp\":2000000000,\"aud\":\"a\"}")))
        #expect(parts[2].count == 43)   // 32-byte HMAC, unpadded base64url
    }

    @Test func extraClaimsOverrideStandardOnes() throws {
        let c = TokenClaims(sub: "u", aud: "one", extra: ["aud": ["one", "two"], "tenant": "t1"])
        #expect(c.json["aud"] == ["one", "two"])
        #expect(c.json["tenant"] == "t1")
    }

    @Test func mintingIsDeterministicForFixedClaims() throws {
        let c = goodClaims()
        #expect(try minter.mint(c) == minter.mint(c))
        #expect(try minter.mint(c) != TokenMinter(secret: "other").mint(c))
    }

    @Test func convenienceMintUsesWholeSecondsAndTheRequestedLifetime() async throws {
        let token = try minter.mint(user: "life", role: .service, expiresIn: 120, audience: "aud")
        let payload = try JSONParser.parse(Array(Data(base64Encoded: padded(String(token.split(separator: ".")[1])))!))
        let iat = try #require(payload["iat"]?.intValue)
        #expect(payload["exp"]?.intValue == iat + 120)
        #expect(payload["role"] == "service" && payload["aud"] == "aud" && payload["sub"] == "life")
    }

    func padded(_ b64url: String) -> String {
        var s = b64url.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return s
    }
}
