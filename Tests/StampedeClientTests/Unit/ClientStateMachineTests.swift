import SocketIOWire
import StampedeJSON
import Testing
@testable import StampedeClient

@Suite struct ClientStateMachineTests {
    static let open = #"0{"sid":"e1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#

    func connected(pid: String? = nil) -> ClientStateMachine {
        var m = ClientStateMachine(connectPayload: ["token": "t"])
        _ = m.receive(Self.open)
        let reply = pid.map { #"40{"sid":"s1","pid":"\#($0)"}"# } ?? #"40{"sid":"s1"}"#
        _ = m.receive(reply)
        return m
    }

    @Test func openSendsConnectWithTheAuthPayload() {
        var m = ClientStateMachine(connectPayload: ["token": "abc"])
        guard case .opened(let open, let packet) = m.receive(Self.open) else {
            Issue.record("expected .opened")
            return
        }
        #expect(open.sid == "e1")
        #expect(open.pingInterval == 25000)
        #expect(packet == #"40{"token":"abc"}"#)
        #expect(m.state == .connecting)
    }

    @Test func connectReplyCarriesSidAndPid() {
        var m = ClientStateMachine(connectPayload: nil)
        _ = m.receive(Self.open)
        #expect(m.receive(#"40{"sid":"abc","pid":"p9"}"#) == .connected(sid: "abc", pid: "p9"))
        #expect(m.state == .connected)
        #expect(m.pid == "p9")
    }

    @Test func connectErrorIsARefusal() {
        var m = ClientStateMachine(connectPayload: nil)
        _ = m.receive(Self.open)
        let a = m.receive(#"44{"message":"unauthorized","data":{"code":"token_expired"}}"#)
        #expect(a == .connectRefused(["message": "unauthorized", "data": ["code": "token_expired"]]))
        #expect(m.state == .closed)
    }

    @Test func pingsAreAnsweredUnlessSilent() {
        var m = connected()
        #expect(m.receive("2") == .ping(answer: true))
        m.silent = true
        #expect(m.receive("2") == .ping(answer: false))
    }

    @Test func eventsBeforeTheConnectReplyAreHeldUntilConnected() {
        var m = ClientStateMachine(connectPayload: nil)
        _ = m.receive(Self.open)
        #expect(m.receive(#"42["x",{"seq":1},"o1"]"#) == .none)
        #expect(m.receive(#"42["x",{"seq":2},"o2"]"#) == .none)
        #expect(m.receive(#"40{"sid":"s","pid":"p"}"#) == .connected(sid: "s", pid: "p"))
        let early = m.takeEarlyEvents()
        #expect(early.map(\.seq) == [1, 2])
        #expect(m.takeEarlyEvents().isEmpty)
    }

    @Test func eventsAreScannedAndOffsetsTrackedOnlyWithAPid() throws {
        var plain = connected()
        guard case .event(let e1) = plain.receive(#"42["node_update",{"workflow_id":"w","seq":1,"ts":2},"o1"]"#) else {
            Issue.record("expected event")
            return
        }
        #expect(e1.offset == nil)
        #expect(e1.workflowID == "w")
        var recovering = connected(pid: "p")
        guard case .event(let e2) = recovering.receive(#"42["node_update",{"workflow_id":"w","seq":1,"ts":2},"o1"]"#) else {
            Issue.record("expected event")
            return
        }
        #expect(e2.offset == "o1")
        #expect(recovering.lastOffset == "o1")
        #expect(try e2.arguments == [["workflow_id": "w", "seq": 1, "ts": 2]])
        #expect(e2.workflowEvent?.seq == 1)
    }

    @Test func acksAreMatchedById() {
        var m = connected()
        let id = m.takeAckID()
        #expect(m.takeAckID() == id + 1)
        guard case .ack(let got, let raw) = m.receive(#"43\#(id)[{"ok":true}]"#) else {
            Issue.record("expected ack")
            return
        }
        #expect(got == id)
        #expect(raw == #"[{"ok":true}]"#)
    }

    @Test func otherNamespacesAreIgnored() {
        var m = connected()
        #expect(m.receive(#"42/admin,["x",{}]"#) == .none)
    }

    @Test func serverDisconnectAndCloseEndTheSession() {
        var a = connected()
        #expect(a.receive("41") == .serverClosed)
        #expect(a.state == .closed)
        var b = connected()
        #expect(b.receive("1") == .serverClosed)
        #expect(b.receive(#"42["x",{}]"#) == .none)
    }

    @Test func garbageIsAProtocolError() {
        var m = connected()
        if case .protocolError = m.receive("9") {} else { Issue.record("expected protocol error for 9") }
        var n = ClientStateMachine(connectPayload: nil)
        if case .protocolError = n.receive("2") {} else { Issue.record("ping before open must be an error") }
        var o = connected()
        if case .protocolError = o.receive(#"42["x",{"a":}]"#) {} else { Issue.record("bad JSON must be an error") }
    }

    @Test func numericEventNamesFallBackToTheFullParser() {
        var m = connected()
        guard case .event(let e) = m.receive(#"42[7,{"workflow_id":"w","seq":3}]"#) else {
            Issue.record("expected event")
            return
        }
        #expect(e.name == "7")
        #expect(e.seq == 3)
    }

    @Test func recoveryKeysAreMergedIntoTheConnectPayload() throws {
        var o = ClientOptions(endpoint: try ServerEndpoint(url: "http://127.0.0.1:1"), auth: ["token": "t"])
        o.recovery = (pid: "p1", offset: "off9")
        #expect(o.connectPayload == ["token": "t", "pid": "p1", "offset": "off9"])
    }

    @Test func endpointParsing() throws {
        let e = try ServerEndpoint(url: "https://example.test:8443/x")
        #expect(e.tls && e.host == "example.test" && e.port == 8443)
        #expect(try ServerEndpoint(url: "ws://[::1]:99").host == "::1")
        #expect(try ServerEndpoint(url: "http://h").port == 80)
        #expect(throws: ClientError.self) { try ServerEndpoint(url: "ftp://h") }
        #expect(throws: ClientError.self) { try ServerEndpoint(url: "http://h:notaport") }
    }
}
