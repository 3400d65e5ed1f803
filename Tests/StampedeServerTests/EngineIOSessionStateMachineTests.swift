import SocketIOWire
@testable import StampedeServer
import XCTest

/// The Engine.IO session rules as a pure value: no sockets, no clocks.
final class EngineIOSessionStateMachineTests: XCTestCase {
    typealias M = EngineIOSessionStateMachine

    func testSecondGETWhilePendingClosesForOverlap() {
        var m = M(startedOn: .polling)
        XCTAssertEqual(m.pollGET(id: 1), .hold)
        XCTAssertEqual(m.pollGET(id: 2), .closeForOverlap(pending: 1))
        XCTAssertEqual(m.pendingGET, nil)
    }

    func testSecondPOSTWhilePendingClosesForOverlap() {
        var m = M(startedOn: .polling)
        XCTAssertEqual(m.pollPOSTBegan(id: 1), .accept)
        XCTAssertEqual(m.pollPOSTBegan(id: 2), .closeForOverlap)
        XCTAssertFalse(m.pollPOSTEnded(id: 1), "the overlapped POST is stale")
    }

    func testPollingOnAWebSocketSessionIsBadRequest() {
        var m = M(startedOn: .websocket)
        XCTAssertEqual(m.pollGET(id: 1), .reject(.badRequest))
        XCTAssertEqual(m.pollPOSTBegan(id: 2), .reject(.badRequest))
        XCTAssertFalse(m.probeAttached(), "a WebSocket session takes no second WebSocket")
    }

    func testClosedSessionRejectsWithUnknownSid() {
        var m = M(startedOn: .polling)
        XCTAssertTrue(m.close())
        XCTAssertFalse(m.close(), "closes once")
        XCTAssertEqual(m.pollGET(id: 1), .reject(.unknownSessionID))
    }

    func testUpgradeProbePingThenUpgradeSwitchesTransport() {
        var m = M(startedOn: .polling)
        XCTAssertEqual(m.pollGET(id: 7), .hold)
        XCTAssertTrue(m.probeAttached())
        XCTAssertFalse(m.probeAttached(), "one probe at a time")
        XCTAssertEqual(m.probeReceived(.probePing), .answerProbe(pendingGET: 7))
        XCTAssertEqual(m.pollGET(id: 8), .holdDuringUpgrade, "GETs after 3probe wait for the check interval or the 5")
        XCTAssertEqual(m.probeReceived(.upgrade), .completeUpgrade(pendingGET: 8))
        XCTAssertTrue(m.isWebSocket)
        XCTAssertEqual(m.pollGET(id: 9), .reject(.badRequest))
        XCTAssertFalse(m.probeAttached(), "a second WebSocket after the upgrade is refused")
    }

    func testOtherPacketBeforeUpgradeClosesOnlyTheProbe() {
        var m = M(startedOn: .polling)
        XCTAssertTrue(m.probeAttached())
        XCTAssertEqual(m.probeReceived(.probePing), .answerProbe(pendingGET: nil))
        XCTAssertEqual(m.probeReceived(.message("hi")), .closeProbe)
        XCTAssertEqual(m.transport, .polling(.none))
        XCTAssertFalse(m.isClosed)
        XCTAssertTrue(m.probeAttached(), "a new probe may try again")
        m.probeEnded()
        XCTAssertEqual(m.transport, .polling(.none))
    }

    func testUpgradeWithoutProbePingClosesProbe() {
        var m = M(startedOn: .polling)
        XCTAssertTrue(m.probeAttached())
        XCTAssertEqual(m.probeReceived(.upgrade), .closeProbe)
    }

    func testClientPingIsAnErrorAndPongOnlyCountsWhenAwaited() {
        var m = M(startedOn: .websocket)
        XCTAssertEqual(m.received(.pong), .none, "an unsolicited pong is ignored")
        XCTAssertTrue(m.pingDue())
        XCTAssertTrue(m.pongDeadlinePassed())
        XCTAssertEqual(m.received(.pong), .pongReceived)
        XCTAssertFalse(m.pongDeadlinePassed())
        XCTAssertEqual(m.received(.ping), .close(.protocolError))
    }

    func testPacketsRouteByType() {
        var m = M(startedOn: .websocket)
        XCTAssertEqual(m.received(.message("40")), .deliver)
        XCTAssertEqual(m.received(.noop), .none)
        XCTAssertEqual(m.received(.close), .close(.clientClose))
        XCTAssertEqual(m.received(.upgrade), .close(.protocolError))
        _ = m.close()
        XCTAssertEqual(m.received(.message("40")), .none, "nothing is delivered after close")
        XCTAssertFalse(m.pingDue())
    }

    func testAbortedGETClosesOnlyWhenItIsThePendingOne() {
        var m = M(startedOn: .polling)
        XCTAssertEqual(m.pollGET(id: 1), .hold)
        XCTAssertFalse(m.pollGETAborted(id: 99))
        XCTAssertTrue(m.pollGETAborted(id: 1))
    }

    func testEndReasonsSplitRecoverableFromDeliberate() {
        XCTAssertEqual(SocketIOConnection.endReason(.transportClosed), .transportLost(recoverable: true))
        XCTAssertEqual(SocketIOConnection.endReason(.pingTimeout), .transportLost(recoverable: true))
        XCTAssertEqual(SocketIOConnection.endReason(.shutdown), .transportLost(recoverable: true))
        XCTAssertEqual(SocketIOConnection.endReason(.clientClose), .transportLost(recoverable: true),
                       "an Engine.IO close is a transport close; only 41 is deliberate")
        XCTAssertEqual(SocketIOConnection.endReason(.parseError), .serverDisconnect(.protocolError))
        XCTAssertEqual(SocketIOConnection.endReason(.server(.slowConsumer)), .serverDisconnect(.slowConsumer))
    }
}
