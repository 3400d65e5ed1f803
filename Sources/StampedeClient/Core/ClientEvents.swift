import StampedeJSON

/// How a client asks to leave.
public enum ClientCloseMode: Sendable, Equatable {
    /// `41`, then the Engine.IO close packet, then the TCP close.
    case clean
    /// The TCP connection dies (RST via SO_LINGER 0): no packet at all.
    case abrupt
    /// Stop answering pings but keep TCP open, so the server must notice by
    /// its heartbeat.
    case silent
}

/// Why a connection ended, as the delegate's last call reports it.
public enum ClientCloseReason: Sendable, Equatable {
    /// `close(.clean)` or `close(.abrupt)` was called.
    case closedByClient
    /// The server sent an Engine.IO close or a Socket.IO DISCONNECT.
    case closedByServer
    /// The CONNECT was refused (the payload went to `connectionDidFailToConnect`).
    case connectRefused
    /// TCP closed under us without a close packet.
    case transportClosed
    /// Nothing from the server within `pingInterval + pingTimeout`.
    case pingTimeout
    /// No CONNECT reply within `connectTimeout`.
    case connectTimeout
    /// TCP connect, HTTP or protocol failure.
    case error(String)
}

/// Failures surfaced to ack callbacks and thrown by the HTTP client.
public enum ClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL(String)
    case notConnected
    case closed(ClientCloseReason)
    case timeout
    case http(status: Int, body: String)
    case protocolError(String)
    case connectionFailed(String)

    public var description: String {
        switch self {
        case .invalidURL(let u): return "invalid server URL \(u)"
        case .notConnected: return "not connected"
        case .closed(let r): return "connection closed (\(r))"
        case .timeout: return "timed out"
        case .http(let s, let b): return "HTTP \(s): \(b.prefix(200))"
        case .protocolError(let s): return "protocol error: \(s)"
        case .connectionFailed(let s): return "connection failed: \(s)"
        }
    }
}
