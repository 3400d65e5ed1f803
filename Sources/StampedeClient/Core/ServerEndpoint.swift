import NIOCore

/// How a TLS client decides to trust the server. `insecure` exists because
/// load tests routinely point at servers with self-signed certificates.
public enum ClientTLSTrust: Sendable, Hashable {
    /// The system's trust roots.
    case system
    /// Trust only the PEM certificate(s) in this file.
    case certificateFile(String)
    /// No verification at all (self-signed test certificates).
    case insecure
}

/// Where the server is: `http(s)://host:port`. The Engine.IO path is fixed by
/// the contract (`/socket.io/`), so the endpoint never carries a path.
public struct ServerEndpoint: Sendable, Equatable {
    public var scheme: String
    public var host: String
    public var port: Int
    /// How the certificate is checked when `tls` is true.
    public var trust: ClientTLSTrust

    public var tls: Bool { scheme == "https" || scheme == "wss" }

    public init(scheme: String = "http", host: String, port: Int, trust: ClientTLSTrust = .system) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.trust = trust
    }

    /// Accepts `http://`, `https://`, `ws://` and `wss://`; the port defaults
    /// to the scheme's. A trailing path is tolerated and ignored.
    public init(url: String, trust: ClientTLSTrust = .system) throws {
        let parts = url.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw ClientError.invalidURL(url) }
        let scheme = parts[0].lowercased()
        guard ["http", "https", "ws", "wss"].contains(scheme) else { throw ClientError.invalidURL(url) }
        var rest = parts[1]
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        var host = String(rest)
        let secure = scheme == "https" || scheme == "wss"
        var port = secure ? 443 : 80
        if host.hasPrefix("[") {  // IPv6 literal
            guard let close = host.firstIndex(of: "]") else { throw ClientError.invalidURL(url) }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()) else { throw ClientError.invalidURL(url) }
                port = p
            }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]) else { throw ClientError.invalidURL(url) }
            port = p
            host = String(host[..<colon])
        }
        guard !host.isEmpty, (1...65535).contains(port) else { throw ClientError.invalidURL(url) }
        self.init(scheme: secure ? "https" : "http", host: host, port: port, trust: trust)
    }

    /// `http://host:port` (or https), for messages and HTTP `Host` headers.
    public var baseURL: String { "\(scheme)://\(hostHeader)" }

    /// The `Host` header value.
    public var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "\(h):\(port)"
    }
}
