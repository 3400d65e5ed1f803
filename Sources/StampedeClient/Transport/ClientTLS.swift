import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// One NIOSSLContext per trust setting for the whole process: building a
/// context loads the trust store, far too costly to do per connection.
enum ClientTLS {
    private static let cache = NIOLockedValueBox<[ClientTLSTrust: NIOSSLContext]>([:])

    static func context(for trust: ClientTLSTrust) throws -> NIOSSLContext {
        try cache.withLockedValue { cache in
            if let c = cache[trust] { return c }
            var config = TLSConfiguration.makeClientConfiguration()
            switch trust {
            case .system: break
            case .insecure: config.certificateVerification = .none
            case .certificateFile(let path):
                config.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
            }
            let c = try NIOSSLContext(configuration: config)
            cache[trust] = c
            return c
        }
    }

    /// Adds the TLS handler when the endpoint asks for it.
    static func addHandlerIfNeeded(_ endpoint: ServerEndpoint, to channel: Channel) throws {
        guard endpoint.tls else { return }
        let hostname = endpoint.host.first?.isNumber == true || endpoint.host.contains(":") ? nil : endpoint.host
        let handler = try NIOSSLClientHandler(context: context(for: endpoint.trust), serverHostname: hostname)
        try channel.pipeline.syncOperations.addHandler(handler)
    }
}
