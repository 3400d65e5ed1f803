import Foundation
import StampedeScenario
import StampedeServer

/// Where a run's clients go, decided the same way by `stampede run`, `stampede conformance`
/// and the tests: the URLs given (`--target`, several for a cluster), else the scenario's
/// `target:`, else an embedded server started here and stopped by `stop()`.
public final class RunTarget: Sendable {
    /// Every node, in the order given; clients and publishers are spread over them.
    public let baseURLs: [String]
    /// The server this target started (nil for an external one).
    public let embedded: EmbeddedServer?

    /// The first node: where setup, stats and cleanup go.
    public var baseURL: String { baseURLs[0] }

    init(baseURLs: [String], embedded: EmbeddedServer?) {
        self.baseURLs = baseURLs
        self.embedded = embedded
    }

    /// The HS256 secret for minting: the flag, else `STAMPEDE_JWT_SECRET`, else `dev-secret`.
    public static func secret(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        flag ?? environment["STAMPEDE_JWT_SECRET"] ?? "dev-secret"
    }

    /// `--target` values as URLs: repeated flags and comma-separated lists alike.
    public static func urls(_ flags: [String]) -> [String] {
        flags.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The URLs given, or the scenario's target, or nil (an embedded server is wanted).
    public static func external(_ urls: [String], scenario: Scenario) -> [String]? {
        if !urls.isEmpty { return urls }
        if case .url(let u) = scenario.target { return [u] }
        return nil
    }

    /// Resolves and, when no URL is given, starts the embedded server from the scenario's
    /// `server:` block (its `auth.secret` wins over `secret`). Throws only when that fails.
    public static func start(_ urls: [String], scenario: Scenario, secret: String) async throws -> RunTarget {
        if let external = external(urls, scenario: scenario) { return RunTarget(baseURLs: external, embedded: nil) }
        return try await start(.embedded(for: scenario, secret: scenario.auth.secret ?? secret))
    }

    /// An embedded server with this configuration.
    public static func start(_ configuration: ServerConfiguration) async throws -> RunTarget {
        let server = try await EmbeddedServer.start(configuration)
        return RunTarget(baseURLs: [server.baseURL], embedded: server)
    }

    /// Run options for this target (`embedded` tells the engine it may read the server's stats as truth).
    public func runOptions(secret: String) -> RunOptions {
        var o = RunOptions(baseURL: baseURL, jwtSecret: secret, embedded: embedded != nil)
        o.additionalBaseURLs = Array(baseURLs.dropFirst())
        return o
    }

    public func stop() async {
        try? await embedded?.shutdown()
    }
}
