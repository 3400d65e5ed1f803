import SocketIOWire
import StampedeJSON
import Foundation
import Testing

extension ServerSuites {
    /// SOCKETIO.md, Engine.IO v4 handshake, errors and long-polling, over real
    /// sockets on an ephemeral port.
    @Suite(.serialized) final class EngineIOPollingTests {
        var h: TransportHarness!

        init() async throws { h = try await TransportHarness.start() }
        /// Swift Testing makes one suite instance per test and releases it when the test
        /// ends; the async stop that XCTest's tearDown awaited runs behind it.
        deinit { Task { [h] in await h?.stop() } }

        @Test func testOpenPacketHasExactlyFiveFieldsAndPollingOffersWebSocket() async throws {
            let (_, open) = try await h.pollingHandshake()
            #expect(Set(open.objectValue!.keys) == ["sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"])
            #expect(open["upgrades"] == ["websocket"])
            #expect(open["pingInterval"] == 25000)
            #expect(open["pingTimeout"] == 20000)
            #expect(open["maxPayload"] == 1_000_000)
        }

        @Test func testErrorCodesStatusesAndBodies() async throws {
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
                #expect(r.status == status, "\(path)")
                #expect(r.contentType == "application/json", "\(path)")
                #expect(try JSONParser.parse(r.text) == ["code": .int(Int64(code)), "message": .string(messages[code]!)], "\(path)")
            }
        }

        @Test func testGETWaitsUntilSomethingIsQueuedThenJoinsPacketsWithRecordSeparator() async throws {
            let (sid, _) = try await h.pollingHandshake()
            let getter = try await h.connection()
            try await getter.sendRequest("GET", TransportHarness.pollPath(sid))
            let early = try await getter.readResponse(timeout: 0.3)
            #expect(early == nil, "the GET is held while nothing is queued")
            // CONNECT + an ack-requesting event: two packets queue up for the held GET.
            let posted = try await h.post(sid, "40\u{1e}421[\"echo\",\"a\"]")
            #expect(posted.status == 200)
            var got: [String] = []
            if let r = try await getter.readResponse() {
                #expect(r.contentType == "text/plain; charset=UTF-8")
                got += TransportHarness.packets(r.text)
            }
            if got.count < 2 { got += TransportHarness.packets(try await h.poll(sid).text) }
            #expect(got.count == 2, "\(got)")
            #expect(got[0].hasPrefix("40{\"sid\":"), "\(got[0])")
            #expect(got[1] == "431[\"a\"]")
        }

        @Test func testPOSTIsAnsweredOkAsTextHtml() async throws {
            let (sid, _) = try await h.pollingHandshake()
            let r = try await h.post(sid, "6")
            #expect(r.status == 200)
            #expect(r.text == "ok")
            #expect(r.contentType == "text/html")
        }

        @Test func testPOSTOverMaxPayloadGets413() async throws {
            await h.stop()
            h = try await TransportHarness.start { $0.maxPayload = 100 }
            let (sid, open) = try await h.pollingHandshake()
            #expect(open["maxPayload"] == 100)
            let r = try await h.post(sid, "4" + String(repeating: "x", count: 500))
            #expect(r.status == 413)
        }

        @Test func testSecondGETWhileOneIsPendingClosesTheSession() async throws {
            let (sid, _) = try await h.pollingHandshake()
            let first = try await h.connection()
            try await first.sendRequest("GET", TransportHarness.pollPath(sid))
            try await h.waitUntilHolding(sid, .get)
            let second = try await h.poll(sid)
            #expect(second.status == 400)
            let pending = try await first.readResponse()
            #expect(pending?.text == "1")
            let after = try await h.poll(sid)
            #expect(after.status == 400)
            #expect(try JSONParser.parse(after.text)["code"] == 1)
        }

        @Test func testSecondPOSTWhileOneIsPendingClosesTheSession() async throws {
            let (sid, _) = try await h.pollingHandshake()
            let first = try await h.connection()
            // Announce 10 bytes, send 2: the POST stays pending.
            try await first.sendRequest("POST", TransportHarness.pollPath(sid), body: "40", contentLength: 10)
            try await h.waitUntilHolding(sid, .post)
            let second = try await h.post(sid, "6")
            #expect(second.status == 400)
            let after = try await h.poll(sid)
            #expect(after.status == 400)
            #expect(try JSONParser.parse(after.text)["code"] == 1)
        }

        @Test func testPOSTWithCloseAnswersThePendingGETWithNoopAndEndsTheSession() async throws {
            let (sid, _) = try await h.pollingHandshake()
            let getter = try await h.connection()
            try await getter.sendRequest("GET", TransportHarness.pollPath(sid))
            try await h.waitUntilHolding(sid, .get)
            let r = try await h.post(sid, "1")
            #expect(r.status == 200)
            let pending = try await getter.readResponse()
            #expect(pending?.text == "6")
            let after = try await h.poll(sid)
            #expect(after.status == 400)
        }

        @Test func testUnparsablePayloadClosesTheSession() async throws {
            let (sid, _) = try await h.pollingHandshake()
            _ = try await h.post(sid, "abc")
            let after = try await h.poll(sid)
            #expect(after.status == 400)
            #expect(try JSONParser.parse(after.text)["code"] == 1)
        }

        @Test func testGETConnectionClosedPrematurelyEndsTheSocketRecoverably() async throws {
            let (sid, _) = try await h.pollingHandshake()
            _ = try await h.post(sid, "40")
            let joined = try await h.poll(sid)
            #expect(joined.text.hasPrefix("40{"), "\(joined.text)")
            let getter = try await h.connection()
            try await getter.sendRequest("GET", TransportHarness.pollPath(sid))
            try await h.waitUntilHolding(sid, .get)
            getter.close()
            let end = await h.domain.ended.next()
            #expect(end?.reason == .transportLost(recoverable: true))
        }

        @Test func testNonEngineIOPathsGoToTheAPIHandler() async throws {
            let r = try await h.request("POST", "/api/v1/things?q=a%20b", body: "{\"x\":1}", headers: [("Content-Type", "application/json")])
            #expect(r.status == 200)
            let v = try JSONParser.parse(r.text)
            #expect(v["path"] == "/api/v1/things")
            #expect(v["method"] == "POST")
            #expect(v["bodyBytes"] == 7)
            #expect(v["q"] == "a b")
        }

        @Test func testHandshakeHeadersAndQueryReachTheDomain() async throws {
            let c = try await h.connection()
            let r = try await c.request("GET", TransportHarness.pollPath() + "&token=abc", headers: [("Authorization", "Bearer xyz")])
            let sid = try JSONParser.parse(String(r.text.dropFirst()))["sid"]!.stringValue!
            _ = try await h.post(sid, "40")
            let req = await h.domain.connects.next()
            #expect(req?.headers["authorization"] == "Bearer xyz")
            #expect(req?.query["token"] == "abc")
            #expect(req?.transport == .polling)
        }
    }
}
