import SocketIOWire
import Testing

/// `application/x-www-form-urlencoded` queries, read over bytes (§19).
@Suite struct QueryStringTests {
    @Test func itemsKeysAndValues() {
        #expect(QueryString.parse("EIO=4&transport=websocket&sid=abc") == ["EIO": "4", "transport": "websocket", "sid": "abc"])
        #expect(QueryString.parse("") == [:])
        #expect(QueryString.parse("&&a=1&&") == ["a": "1"])
        #expect(QueryString.parse("flag&empty=&x==y") == ["flag": "", "empty": "", "x": "=y"])
    }

    @Test func theFirstOfARepeatedKeyWins() {
        #expect(QueryString.parse("token=a&token=b") == ["token": "a"])
    }

    @Test func plusIsASpaceAndPercentEscapesAreBytes() {
        #expect(QueryString.decode("a+b%20c") == "a b c")
        #expect(QueryString.decode("%E2%82%AC%e2%82%ac") == "€€")
        #expect(QueryString.parse("k%3D=v%26w") == ["k=": "v&w"])
    }

    @Test func aPercentWithoutTwoHexDigitsStaysAsItIs() {
        #expect(QueryString.decode("100%") == "100%")
        #expect(QueryString.decode("%4") == "%4")
        #expect(QueryString.decode("%zz%41") == "%zzA")
        #expect(QueryString.decode("%%41") == "%A")
    }

    @Test func aRoundTripThroughEncode() {
        for s in ["plain", "a b&c=d", "€ / ? #", "%", "+"] {
            #expect(QueryString.parse("k=" + QueryString.encode(s)) == ["k": s])
        }
    }
}
