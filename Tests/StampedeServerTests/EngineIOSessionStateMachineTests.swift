import SocketIOWire
@testable import StampedeServer
import Foundation
import Testing

extension ServerSuites {
    /// The Engine.IO session rules as a pure value: no sockets, no clocks.
    @Suite(.serialized) final class EngineIOSessionStateMachineTests {
        typealias M = EngineIOSessionStateMachine

        @Test func testSecondGETWhilePendingClosesForOverlap() {
            var m = M(startedOn: .polling)
            let outcome0 = m.pollGET(id: 1)
            #expect(outcome0 == .hold)
            let outcome1 = m.pollGET(id: 2)
            #expect(outcome1 == .closeForOverlap(pending: 1))
            #expect(m.pendingGET == nil)
        }

        @Test func testSecondPOSTWhilePendingClosesForOverlap() {
            var m = M(startedOn: .polling)
            let outcome2 = m.pollPOSTBegan(id: 1)
            #expect(outcome2 == .accept)
            let outcome3 = m.pollPOSTBegan(id: 2)
            #expect(outcome3 == .closeForOverlap)
            let outcome4 = m.pollPOSTEnded(id: 1)
            #expect(!outcome4, "the overlapped POST is stale")
        }

        @Test func testPollingOnAWebSocketSessionIsBadRequest() {
            var m = M(startedOn: .websocket)
            let outcome5 = m.pollGET(id: 1)
            #expect(outcome5 == .reject(.badRequest))
            let outcome6 = m.pollPOSTBegan(id: 2)
            #expect(outcome6 == .reject(.badRequest))
            let outcome7 = m.probeAttached()
            #expect(!outcome7, "a WebSocket session takes no second WebSocket")
        }

        @Test func testClosedSessionRejectsWithUnknownSid() {
            var m = M(startedOn: .polling)
            let outcome8 = m.close()
            #expect(outcome8)
            let outcome9 = m.close()
            #expect(!outcome9, "closes once")
            let outcome10 = m.pollGET(id: 1)
            #expect(outcome10 == .reject(.unknownSessionID))
        }

        @Test func testUpgradeProbePingThenUpgradeSwitchesTransport() {
            var m = M(startedOn: .polling)
            let outcome11 = m.pollGET(id: 7)
            #expect(outcome11 == .hold)
            let outcome12 = m.probeAttached()
            #expect(outcome12)
            let outcome13 = m.probeAttached()
            #expect(!outcome13, "one probe at a time")
            let outcome14 = m.probeReceived(.probePing)
            #expect(outcome14 == .answerProbe(pendingGET: 7))
            let outcome15 = m.pollGET(id: 8)
            #expect(outcome15 == .holdDuringUpgrade, "GETs after 3probe wait for the check interval or the 5")
            let outcome16 = m.probeReceived(.upgrade)
            #expect(outcome16 == .completeUpgrade(pendingGET: 8))
            #expect(m.isWebSocket)
            let outcome17 = m.pollGET(id: 9)
            #expect(outcome17 == .reject(.badRequest))
            let outcome18 = m.probeAttached()
            #expect(!outcome18, "a second WebSocket after the upgrade is refused")
        }

        @Test func testOtherPacketBeforeUpgradeClosesOnlyTheProbe() {
            var m = M(startedOn: .polling)
            let outcome19 = m.probeAttached()
            #expect(outcome19)
            let outcome20 = m.probeReceived(.probePing)
            #expect(outcome20 == .answerProbe(pendingGET: nil))
            let outcome21 = m.probeReceived(.message("hi"))
            #expect(outcome21 == .closeProbe)
            #expect(m.transport == .polling(.none))
            #expect(!(m.isClosed))
            let outcome22 = m.probeAttached()
            #expect(outcome22, "a new probe may try again")
            m.probeEnded()
            #expect(m.transport == .polling(.none))
        }

        @Test func testUpgradeWithoutProbePingClosesProbe() {
            var m = M(startedOn: .polling)
            let outcome23 = m.probeAttached()
            #expect(outcome23)
            let outcome24 = m.probeReceived(.upgrade)
            #expect(outcome24 == .closeProbe)
        }

        @Test func testClientPingIsAnErrorAndPongOnlyCountsWhenAwaited() {
            var m = M(startedOn: .websocket)
            let outcome25 = m.received(.pong)
            #expect(outcome25 == .none, "an unsolicited pong is ignored")
            let outcome26 = m.pingDue()
            #expect(outcome26)
            let outcome27 = m.pongDeadlinePassed()
            #expect(outcome27)
            let outcome28 = m.received(.pong)
            #expect(outcome28 == .pongReceived)
            let outcome29 = m.pongDeadlinePassed()
            #expect(!outcome29)
            let outcome30 = m.received(.ping)
            #expect(outcome30 == .close(.protocolError))
        }

        @Test func testPacketsRouteByType() {
            var m = M(startedOn: .websocket)
            let outcome31 = m.received(.message("40"))
            #expect(outcome31 == .deliver)
            let outcome32 = m.received(.noop)
            #expect(outcome32 == .none)
            let outcome33 = m.received(.close)
            #expect(outcome33 == .close(.clientClose))
            let outcome34 = m.received(.upgrade)
            #expect(outcome34 == .close(.protocolError))
            _ = m.close()
            let outcome35 = m.received(.message("40"))
            #expect(outcome35 == .none, "nothing is delivered after close")
            let outcome36 = m.pingDue()
            #expect(!outcome36)
        }

        @Test func testAbortedGETClosesOnlyWhenItIsThePendingOne() {
            var m = M(startedOn: .polling)
            let outcome37 = m.pollGET(id: 1)
            #expect(outcome37 == .hold)
            let outcome38 = m.pollGETAborted(id: 99)
            #expect(!outcome38)
            let outcome39 = m.pollGETAborted(id: 1)
            #expect(outcome39)
        }

        @Test func testEndReasonsSplitRecoverableFromDeliberate() {
            #expect(SocketIOConnection.endReason(.transportClosed) == .transportLost(recoverable: true))
            #expect(SocketIOConnection.endReason(.pingTimeout) == .transportLost(recoverable: true))
            #expect(SocketIOConnection.endReason(.shutdown) == .transportLost(recoverable: true))
            #expect(SocketIOConnection.endReason(.clientClose) == .transportLost(recoverable: true), "an Engine.IO close is a transport close; only 41 is deliberate")
            #expect(SocketIOConnection.endReason(.parseError) == .serverDisconnect(.protocolError))
            #expect(SocketIOConnection.endReason(.server(.slowConsumer)) == .serverDisconnect(.slowConsumer))
        }
    }
}
