import NIOCore
import NIOPosix
import Testing
@testable import StampedeClient

/// A server that accepts TCP and then says nothing: the client must give
/// up after `connectTimeout`, not hang.
@Suite(.timeLimit(.minutes(1))) struct TimeoutTests {
    @Test(arguments: [ClientTransport.websocket, .polling])
    func aMuteServerEndsInConnectTimeout(transport: ClientTransport) async throws {
        let mute = try await ServerBootstrap(group: TestServer.clientGroup)
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(mute.localAddress?.port)
        let d = RecordingDelegate()
        var o = ClientOptions(endpoint: try ServerEndpoint(url: "http://127.0.0.1:\(port)"), transport: transport, auth: ["token": "t"])
        o.connectTimeout = .milliseconds(300)
        _ = ClientConnection.connect(o, on: TestServer.clientGroup.next(), delegate: d)
        #expect(await d.waitClosed(seconds: 5))
        #expect(d.closeReason == .connectTimeout)
        #expect(d.connectedSID == nil)
        try await mute.close()
    }

    @Test func pollingBodiesAreRecordsJoinedByTheSeparator() {
        #expect(PollingTransport.payload(["40{}", "3"]) == Array("40{}\u{1e}3".utf8))
        #expect(PollingTransport.payload(["1"]) == [UInt8(ascii: "1")])
    }

    @Test func engineIOTargetsCarryTheSidAndEscapedQuery() {
        #expect(EngineIOURL.target(transport: .polling, sid: "a b", extra: ["token": "x&y"])
            == "/socket.io/?EIO=4&transport=polling&sid=a%20b&token=x%26y")
        #expect(EngineIOURL.target(transport: .websocket, sid: nil, extra: [:]) == "/socket.io/?EIO=4&transport=websocket")
    }
}
