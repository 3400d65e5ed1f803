import NIOCore
import StampedeJSON

/// Which Engine.IO transport a client uses.
public enum ClientTransport: String, Sendable, CaseIterable {
    /// Straight to WebSocket (`transport=websocket`).
    case websocket
    /// HTTP long-polling only.
    case polling
    /// Polling handshake, then the probe/upgrade dance to WebSocket.
    case upgrade
}

/// Everything one simulated (or real) client needs to connect. Kept small
/// and shared by value: thousands of connections reference the same arrays.
public struct ClientOptions: Sendable {
    public var endpoint: ServerEndpoint
    public var transport: ClientTransport
    /// The Socket.IO CONNECT payload, e.g. `{"token":"…"}`. With `recovery`
    /// the `pid`/`offset` keys are merged into it.
    public var auth: JSONValue?
    /// Extra headers on the handshake requests (e.g. `Authorization`).
    public var headers: [(String, String)]
    /// Extra query parameters on the Engine.IO URL (e.g. `token`).
    public var query: [String: String]
    /// Source IP to bind before connecting, so one process can open more
    /// than one address's worth of ephemeral ports to a single server port.
    public var localAddress: String?
    /// Source ports bound in turn instead of the kernel's choice (nil: the kernel's). A load
    /// generator holding more than ~14,000 connections per source address wants
    /// `SourcePorts.shared`: past that, each kernel-chosen connect costs ~1.2 ms of CPU.
    public var sourcePorts: SourcePorts?
    /// Connection state recovery: the `pid` of the previous session and the
    /// last offset it saw.
    public var recovery: (pid: String, offset: String)?
    /// From the first byte to the Socket.IO CONNECT reply.
    public var connectTimeout: TimeAmount
    /// Largest WebSocket frame accepted (the server's maxPayload by default).
    public var maxFrameSize: Int

    public init(endpoint: ServerEndpoint, transport: ClientTransport = .websocket, auth: JSONValue? = nil,
                headers: [(String, String)] = [], query: [String: String] = [:], localAddress: String? = nil,
                recovery: (pid: String, offset: String)? = nil, connectTimeout: TimeAmount = .seconds(10),
                maxFrameSize: Int = 1_000_000) {
        self.endpoint = endpoint
        self.transport = transport
        self.auth = auth
        self.headers = headers
        self.query = query
        self.localAddress = localAddress
        self.recovery = recovery
        self.connectTimeout = connectTimeout
        self.maxFrameSize = maxFrameSize
    }

    /// Convenience: `{"token": token}` as the CONNECT payload.
    public static func token(_ token: String, endpoint: ServerEndpoint, transport: ClientTransport = .websocket) -> ClientOptions {
        ClientOptions(endpoint: endpoint, transport: transport, auth: ["token": .string(token)])
    }

    /// The CONNECT payload actually sent: `auth` plus the recovery keys.
    var connectPayload: JSONValue? {
        guard let recovery else { return auth }
        var o = auth?.objectValue ?? JSONObject()
        o["pid"] = .string(recovery.pid)
        o["offset"] = .string(recovery.offset)
        return .object(o)
    }
}
