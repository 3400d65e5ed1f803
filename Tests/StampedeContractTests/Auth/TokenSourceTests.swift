import StampedeAuth
import StampedeJSON
import Testing

/// PROTOCOL §2: CONNECT payload, then `Authorization: Bearer`, then `?token=`.
@Suite struct TokenSourceTests {
    @Test func connectPayloadWinsOverHeaderAndQuery() {
        #expect(TokenSource.extract(auth: ["token": "from-auth"], headers: ["Authorization": "Bearer from-header"],
                                    query: ["token": "from-query"]) == "from-auth")
    }

    @Test func headerWinsOverQuery() {
        #expect(TokenSource.extract(auth: nil, headers: ["authorization": "Bearer from-header"],
                                    query: ["token": "from-query"]) == "from-header")
    }

    @Test func queryIsTheLastResort() {
        #expect(TokenSource.extract(auth: nil, headers: [:], query: ["token": "from-query"]) == "from-query")
    }

    @Test func nothingAnywhereIsNil() {
        #expect(TokenSource.extract(auth: nil, headers: ["Cookie": "a=b"], query: ["EIO": "4"]) == nil)
        #expect(TokenSource.extract(auth: [:], headers: [:], query: [:]) == nil)
    }

    @Test func unusableHigherSourcesFallThrough() {
        // A non-string or empty token in the payload is not a token: the next source is used.
        #expect(TokenSource.extract(auth: ["token": 5], headers: ["Authorization": "Bearer h"], query: [:]) == "h")
        #expect(TokenSource.extract(auth: ["token": ""], headers: [:], query: ["token": "q"]) == "q")
        #expect(TokenSource.extract(auth: "token", headers: [:], query: ["token": "q"]) == "q")
        // Another scheme is not a bearer token.
        #expect(TokenSource.extract(auth: nil, headers: ["Authorization": "Basic dTpw"], query: ["token": "q"]) == "q")
        #expect(TokenSource.extract(auth: nil, headers: ["Authorization": "Bearer "], query: ["token": "q"]) == "q")
        #expect(TokenSource.extract(auth: nil, headers: [:], query: ["token": ""]) == nil)
    }

    @Test func headerNameAndSchemeAreCaseInsensitiveAndTrimmed() {
        #expect(TokenSource.bearer(["AUTHORIZATION": "bearer abc"]) == "abc")
        #expect(TokenSource.bearer(["Authorization": "BEARER   abc.def.ghi  "]) == "abc.def.ghi")
        #expect(TokenSource.bearer(["Authorization": "Bearerabc"]) == nil)
    }
}
