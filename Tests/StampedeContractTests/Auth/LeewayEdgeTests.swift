import Foundation
import StampedeAuth
import StampedeContract
import StampedeJSON
import Testing

/// The leeway of PROTOCOL §2 (default 5 s) on each time claim, tested at
/// the edges with a fixed clock. `ClaimRules` is the pure part; one check
/// per claim also runs through the whole verifier.
@Suite struct LeewayEdgeTests {
    let rules = ClaimRules(leewaySeconds: 5)
    let t = fixedNow.timeIntervalSince1970

    func claims(exp: Double? = nil, nbf: Double? = nil, iat: Double? = nil) -> JSONObject {
        var o: JSONObject = ["sub": "u", "exp": .double(exp ?? t + 3600)]
        if let nbf { o["nbf"] = .double(nbf) }
        if let iat { o["iat"] = .double(iat) }
        return o
    }

    @Test func expiredOnlyPastTheLeeway() {
        #expect((try? rules.check(claims(exp: t - 4.9), now: fixedNow).get()) != nil)
        #expect(rules.check(claims(exp: t - 5), now: fixedNow) == .failure(.tokenExpired))
        #expect(rules.check(claims(exp: t - 5.1), now: fixedNow) == .failure(.tokenExpired))
    }

    @Test func notBeforeForgivenWithinLeeway() {
        #expect((try? rules.check(claims(nbf: t + 5), now: fixedNow).get()) != nil)
        #expect(rules.check(claims(nbf: t + 5.1), now: fixedNow) == .failure(.tokenNotYetValid))
    }

    @Test func issuedInTheFutureBeyondLeeway() {
        #expect((try? rules.check(claims(iat: t + 5), now: fixedNow).get()) != nil)
        #expect(rules.check(claims(iat: t + 5.1), now: fixedNow) == .failure(.tokenNotYetValid))
        #expect((try? rules.check(claims(iat: t - 86_400), now: fixedNow).get()) != nil)
    }

    @Test func zeroLeewayIsExact() {
        let strict = ClaimRules(leewaySeconds: 0)
        #expect(strict.check(claims(exp: t), now: fixedNow) == .failure(.tokenExpired))
        #expect((try? strict.check(claims(exp: t + 0.001), now: fixedNow).get()) != nil)
        #expect(strict.check(claims(nbf: t + 0.001), now: fixedNow) == .failure(.tokenNotYetValid))
    }

    @Test func nonNumericTimesAreMalformed() {
        var o = claims()
        o["nbf"] = "soon"
        #expect(rules.check(o, now: fixedNow) == .failure(.tokenMalformed))
        o = claims()
        o["iat"] = .bool(true)
        #expect(rules.check(o, now: fixedNow) == .failure(.tokenMalformed))
    }

    @Test func expiredWinsOverNotYetValidAndAudience() {
        let r = ClaimRules(leewaySeconds: 5, audience: "x")
        #expect(r.check(claims(exp: t - 60, nbf: t + 60), now: fixedNow) == .failure(.tokenExpired))
        #expect(r.check(claims(nbf: t + 60), now: fixedNow) == .failure(.tokenNotYetValid))
    }

    @Test func configuredLeewayReachesTheVerifier() async throws {
        let minter = TokenMinter(secret: testSecret)
        var c = goodClaims()
        c.exp = fixedNow.addingTimeInterval(-20)
        let token = try minter.mint(c)
        #expect(try await verifier(leeway: 5).verify(token) == .failure(.tokenExpired))
        #expect(try await verifier(leeway: 30).verify(token).get().userID == "u1")
        var n = goodClaims()
        n.nbf = fixedNow.addingTimeInterval(4)
        #expect(try await verifier().verify(minter.mint(n)).get().userID == "u1")
        #expect(try await verifier(leeway: 0).verify(try minter.mint(n)) == .failure(.tokenNotYetValid))
    }
}
