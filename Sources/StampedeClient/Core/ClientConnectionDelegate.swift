import SocketIOWire
import StampedeJSON

/// The receiver of one connection's life. Every call happens on the
/// connection's event loop, so an implementation needs no locks as long as
/// it keeps its state on that loop — the load generator's virtual clients do.
public protocol ClientConnectionDelegate: AnyObject {
    /// The Engine.IO open packet arrived (the `connect` metric ends here).
    func connectionDidOpen(_ c: ClientConnection, handshake: EngineIOOpenPayload)
    /// The Socket.IO CONNECT was accepted (the `auth` metric ends here).
    func connectionDidConnect(_ c: ClientConnection, sid: String, pid: String?)
    /// CONNECT_ERROR: the payload as sent, e.g. `{"message":"unauthorized","data":{"code":…}}`.
    func connectionDidFailToConnect(_ c: ClientConnection, error: JSONValue)
    /// Every EVENT from the server — the hot path: do as little as possible.
    func connection(_ c: ClientConnection, didReceive event: ReceivedEvent)
    /// A server PING (answered already unless the connection is silent).
    func connectionDidReceivePing(_ c: ClientConnection)
    /// The last call; the connection releases its delegate afterwards.
    func connectionDidClose(_ c: ClientConnection, reason: ClientCloseReason)
}

extension ClientConnectionDelegate {
    public func connectionDidOpen(_ c: ClientConnection, handshake: EngineIOOpenPayload) {}
    public func connectionDidReceivePing(_ c: ClientConnection) {}
}
