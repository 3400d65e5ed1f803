import Foundation
import PostgresNIO

/// `postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require]`
/// as PostgresNIO's client configuration.
enum PostgresURL {
    struct Invalid: Error, CustomStringConvertible {
        let url: String
        var description: String { "not a PostgreSQL URL: \(url) (want postgres://user[:password]@host[:port]/database)" }
    }

    static func configuration(_ url: String) throws -> PostgresClient.Configuration {
        guard let c = URLComponents(string: url), ["postgres", "postgresql"].contains(c.scheme ?? ""),
              let host = c.host, !host.isEmpty, let user = c.user, !user.isEmpty else { throw Invalid(url: url) }
        let database = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        let mode = c.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        let tls: PostgresClient.Configuration.TLS
        switch mode {
        case "disable": tls = .disable
        case "require": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        var config = PostgresClient.Configuration(host: host, port: c.port ?? 5432, username: user, password: c.password,
                                                  database: database.isEmpty ? nil : database, tls: tls)
        config.options.maximumConnections = 16
        config.options.connectTimeout = .seconds(3)
        return config
    }
}
