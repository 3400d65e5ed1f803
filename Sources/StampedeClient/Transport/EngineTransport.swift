#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix
import SocketIOWire

/// Receives what a transport carries: whole Engine.IO packets as bytes, each
/// a slice of what was read (a WebSocket frame's payload, a polling record),
/// so nothing is copied or decoded into a `String` per packet.
/// Called on the connection's event loop only.
protocol TransportSink: AnyObject {
    func transportDidReceive(_ packet: ByteBuffer)
    func transportDidClose(_ reason: ClientCloseReason)
}

/// How a transport lets go of its socket(s).
enum TransportCloseMode {
    /// Write out what is queued, then close.
    case graceful
    /// SO_LINGER 0 and close: the peer sees a reset, no packet.
    case abrupt
}

/// One Engine.IO transport (WebSocket, long-polling, or polling that
/// upgrades). Loop-confined: every method runs on the connection's loop.
protocol EngineTransport: AnyObject {
    var kind: EngineIOTransport { get }
    func start()
    /// One Engine.IO packet as text, `<digit><data>`.
    func send(_ text: String)
    func close(_ mode: TransportCloseMode)
    func setReading(_ on: Bool)
}

extension Channel {
    /// Tear down with a TCP reset: the server sees the connection die
    /// without a FIN, as when a client's network drops.
    func closeAbruptly() {
        let ch = self
        guard let provider = ch as? SocketOptionProvider else {
            ch.close(promise: nil)
            return
        }
        provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in ch.close(promise: nil) }
    }
}

extension ClientBootstrap {
    /// IP literals skip the resolver: thousands of connects to 127.0.0.1
    /// should not each take a trip through getaddrinfo.
    func connect(to endpoint: ServerEndpoint) -> EventLoopFuture<Channel> {
        if let address = try? SocketAddress(ipAddress: endpoint.host, port: endpoint.port) {
            return connect(to: address)
        }
        return connect(host: endpoint.host, port: endpoint.port)
    }
}
