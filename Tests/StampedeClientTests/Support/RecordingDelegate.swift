import NIOConcurrencyHelpers
import SocketIOWire
import StampedeClient
import StampedeJSON
import StampedeTestSupport

/// Records every delegate call of a connection and lets a test await a
/// condition over what was recorded, with a deadline so a broken client
/// fails the test instead of hanging it.
final class RecordingDelegate: ClientConnectionDelegate, @unchecked Sendable {
    enum Call: Sendable, Equatable {
        case open(EngineIOOpenPayload)
        case connect(sid: String, pid: String?)
        case connectError(JSONValue)
        case event(ReceivedEvent)
        case ping
        case close(ClientCloseReason)
    }

    private let box = NIOLockedValueBox<[Call]>([])
    var calls: [Call] { box.withLockedValue { $0 } }

    var events: [ReceivedEvent] {
        calls.compactMap { if case .event(let e) = $0 { return e } else { return nil } }
    }
    var closeReason: ClientCloseReason? {
        calls.lazy.compactMap { if case .close(let r) = $0 { return r } else { return nil } }.first
    }
    var connectedSID: String? {
        calls.lazy.compactMap { if case .connect(let s, _) = $0 { return s } else { return nil } }.first
    }

    func connectionDidOpen(_ c: ClientConnection, handshake: EngineIOOpenPayload) { record(.open(handshake)) }
    func connectionDidConnect(_ c: ClientConnection, sid: String, pid: String?) { record(.connect(sid: sid, pid: pid)) }
    func connectionDidFailToConnect(_ c: ClientConnection, error: JSONValue) { record(.connectError(error)) }
    func connection(_ c: ClientConnection, didReceive event: ReceivedEvent) { record(.event(event)) }
    func connectionDidReceivePing(_ c: ClientConnection) { record(.ping) }
    func connectionDidClose(_ c: ClientConnection, reason: ClientCloseReason) { record(.close(reason)) }

    private func record(_ c: Call) { box.withLockedValue { $0.append(c) } }

    /// True once `condition` holds over the calls; false after `seconds`.
    func wait(seconds: Double = 5, until condition: ([Call]) -> Bool) async -> Bool {
        await waitUntil(seconds: seconds) { condition(calls) }
    }

    func waitConnected(seconds: Double = 5) async -> Bool {
        await wait(seconds: seconds) { $0.contains { if case .connect = $0 { true } else { false } } }
    }
    func waitClosed(seconds: Double = 5) async -> Bool {
        await wait(seconds: seconds) { $0.contains { if case .close = $0 { true } else { false } } }
    }
}
