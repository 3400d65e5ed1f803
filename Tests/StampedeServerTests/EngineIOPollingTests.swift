import SocketIOWire
import StampedeJSON
import XCTest

/// SOCKETIO.md, Engine.IO v4 handshake, errors and long-polling, over real
/// sockets on an ephemeral port.
final class EngineIOPollingTests: XCTestCase {
    var h: TransportHarness!

    override func setUp() async throws { h = try await TransportHarness.start() }
    override func tearDown() async throws { await h.stop() }

    func testOpenPacketHasExactlyFiveFieldsAndPollingOffersWebSocket() async throws {
        let (_, open) = try await h.pollingHandshake()
        XCTAssertEqual(Set(open.objectValue!.keys), ["sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"])
        XCTAssertEqual(open["upgrades"], ["websocket"])
        XCTAssertEqual(open["pingInterval"], 25000)
        XCTAssertEqual(open["pingTimeout"], 20000)
        XCTAssertEqual(open["maxPayload"], 1_000_000)
    }

    func testErrorCodesStatusesAndBodies() async throws {
        let cases: [(String, String, Int, Int)] = [
            ("GET", "/socket.io/?EIO=4", 400, 0),
            ("GET", "/socket.io/?EIO=4&transport=carrier-pigeon", 400, 0),
            ("GET", "/socket.io/?transport=carrier-pigeon", 400, 0),  // transport is checked before EIO
            ("GET", "/socket.io/?EIO=3&transport=polling", 400, 5),
            ("GET", "/socket.io/?transport=polling", 400, 5),
            ("GET", "/socket.io/?EIO=4&transport=polling&sid=nope", 400, 1),
            ("POST", "/socket.io/?EIO=4&transport=polling", 400, 2),
            ("GET", "/socket.io/?EIO=4&transport=websocket", 400, 3),  // no Upgrade header
        ]
        let messages = [0: "Transport unknown", 1: "Session ID unknown", 2: "Bad handshake method", 3: "Bad request", 5: "Unsupported protocol version"]
        for (method, path, status, code) in cases {
            let r = try await h.request(method, path, body: method == "POST" ? "40" : nil)
            XCTAssertEqual(r.status, status, path)
            XCTAssertEqual(r.contentType, "application/json", path)
            XCTAssertEqual(try JSONParser.parse(r.text), ["code": .int(Int64(code)), "message": .string(messages[code]!)], path)
        }
    }

    func testGETWaitsUntilSomethingIsQueuedThenJoinsPacketsWithRecordSeparator() async throws {
        let (sid, _) = try await h.pollingHandshake()
        let getter = try await h.connection()
        try await getter.sendRequest("GET", TransportHarness.pollPath(sid))
        let early = try await getter.readResponse(timeout: 0.3)
        XCTAssertNil(early, "the GET is held while nothing is queued")
        // CONNECT + an ack-requesting event: two packets queue up for the held GET.
        let posted = try await h.post(sid, "40\u{1e}421[\"echo\",\"a\"]")
        XCTAssertEqual(posted.status, 200)
        var got: [String] = []
        if let r = try await getter.readResponse() {
            XCTAssertEqual(r.contentType, "text/plain; charset=UTF-8")
            got += TransportHarness.packets(r.text)
        }
        if got.count < 2 { got += TransportHarness.packets(try await h.poll(sid).text) }
        XCTAssertEqual(got.count, 2, "\(got)")
        XCTAssertTrue(got[0].hasPrefix("40{\"sid\":"), got[0])
        XCTAssertEqual(got[1], "431[\"a\"]")
    }

    func testPOSTIsAnsweredOkAsTextHtml() async throws {
        let (sid, _) = try await h.pollingHandshake()
        let r = try await h.post(sid, "6")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.text, "ok")
        XCTAssertEqual(r.contentType, "text/html")
    }

    func testPOSTOverMaxPayloadGets413() async throws {
        await h.stop()
        h = try await TransportHarness.start { $0.maxPayload = 100 }
        let (sid, open) = try await h.pollingHandshake()
        XCTAssertEqual(open["maxPayload"], 100)
        let r = try await h.post(sid, "4" + String(repeating: "x", count: 500))
        XCTAssertEqual(r.status, 413)
    }

    func testSecondGETWhileOneIsPendingClosesTheSession() async throws {
        let (sid, _) = try await h.pollingHandshake()
        let first = try await h.connection()
        try await first.sendRequest("GET", TransportHarness.pollPath(sid))
        try await Task.sleep(nanoseconds: 200_000_000)
        let second = try await h.poll(sid)
        XCTAssertEqual(second.status, 400)
        let pending = try await first.readResponse()
        XCTAssertEqual(pending?.text, "1")
        let after = try await h.poll(sid)
        XCTAssertEqual(after.status, 400)
        XCTAssertEqual(try JSONParser.parse(after.text)["code"], 1)
    }

    func testSecondPOSTWhileOneIsPendingClosesTheSession() async throws {
        let (sid, _) = try await h.pollingHandshake()
        let first = try await h.connection()
        // Announce 10 bytes, send 2: the POST stays pending.
        try await first.sendRequest("POST", TransportHarness.pollPath(sid), body: "40", contentLength: 10)
        try await Task.sleep(nanoseconds: 200_000_000)
        let second = try await h.post(sid, "6")
        XCTAssertEqual(second.status, 400)
        let after = try await h.poll(sid)
        XCTAssertEqual(after.status, 400)
        XCTAssertEqual(try JSONParser.parse(after.text)["code"], 1)
    }

    func testPOSTWithCloseAnswersThePendingGETWithNoopAndEndsTheSession() async throws {
        let (sid, _) = try await h.pollingHandshake()
        let getter = try await h.connection()
        try await getter.sendRequest("GET", TransportHarness.pollPath(sid))
        try await Task.sleep(nanoseconds: 200_000_000)
        let r = try await h.post(sid, "1")
        XCTAssertEqual(r.status, 200)
        let pending = try await getter.readResponse()
        XCTAssertEqual(pending?.text, "6")
        let after = try await h.poll(sid)
        XCTAssertEqual(after.status, 400)
    }

    func testUnparsablePayloadClosesTheSession() async throws {
        let (sid, _) = try await h.pollingHandshake()
        _ = try await h.post(sid, "abc")
        let after = try await h.poll(sid)
        XCTAssertEqual(after.status, 400)
        XCTAssertEqual(try JSONParser.parse(after.text)["code"], 1)
    }

    func testGETConnectionClosedPrematurelyEndsTheSocketRecoverably() async throws {
        let (sid, _) = try await h.pollingHandshake()
        _ = try await h.post(sid, "40")
        let joined = try await h.poll(sid)
        XCTAssertTrue(joined.text.hasPrefix("40{"), joined.text)
        let getter = try await h.connection()
        try await getter.sendRequest("GET", TransportHarness.pollPath(sid))
        try await Task.sleep(nanoseconds: 200_000_000)
        getter.close()
        let end = await h.domain.ended.next()
        XCTAssertEqual(end?.reason, .transportLost(recoverable: true))
    }

    func testNonEngineIOPathsGoToTheAPIHandler() async throws {
        let r = try await h.request("POST", "/api/v1/things?q=a%20b", body: "{\"x\":1}", headers: [("Content-Type", "application/json")])
        XCTAssertEqual(r.status, 200)
        let v = try JSONParser.parse(r.text)
        XCTAssertEqual(v["path"], "/api/v1/things")
        XCTAssertEqual(v["method"], "POST")
        XCTAssertEqual(v["bodyBytes"], 7)
        XCTAssertEqual(v["q"], "a b")
    }

    func testHandshakeHeadersAndQueryReachTheDomain() async throws {
        let c = try await h.connection()
        let r = try await c.request("GET", TransportHarness.pollPath() + "&token=abc", headers: [("Authorization", "Bearer xyz")])
        let sid = try JSONParser.parse(String(r.text.dropFirst()))["sid"]!.stringValue!
        _ = try await h.post(sid, "40")
        let req = await h.domain.connects.next()
        XCTAssertEqual(req?.headers["authorization"], "Bearer xyz")
        XCTAssertEqual(req?.query["token"], "abc")
        XCTAssertEqual(req?.transport, .polling)
    }
}
