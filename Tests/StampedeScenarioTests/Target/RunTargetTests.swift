import StampedeJSON
import StampedeScenario
import StampedeServer
import StampedeTarget
import Testing

/// The one configuration path: a scenario's `server:` block becomes the embedded server's
/// configuration in `StampedeTarget`, for the CLI and the tests alike.
@Suite struct RunTargetTests {
    /// A value for every key, each different from the default, so an unmapped key shows.
    static let block = """
    name: cfg
    auth: { users: 1, audience: aud-from-auth }
    server:
      ping_interval: 1500ms
      ping_timeout: 2s
      max_payload: 4096
      step_delay: 7
      max_connections_per_user: 3
      history_limit: 42
      terminal_retention: 9s
      max_disconnection_duration: 3s
      jwt_secret: from-server-block
      audience: aud-from-server
      rate_limit_events_per_second: 11/s
      rate_limit_burst: 13
      workflow_create_rate: 2.5
      workflow_create_burst: 4
      slow_consumer_bytes: 65536
      max_subscriptions: 6
    phases: [{ name: p, duration: 1s, clients: 1 }]
    groups: [{ name: g, steps: [connect] }]
    """

    @Test func everyServerKeyReachesTheEmbeddedConfiguration() throws {
        let s = try ScenarioLoader.parse(Self.block)
        #expect(Set(s.server.keys) == Set(ServerSettingKey.allCases.map(\.rawValue)), "the fixture covers every key")
        let c = ServerConfiguration.embedded(for: s, secret: "flag-secret")
        #expect(c.port == 0)
        #expect(c.pingIntervalMs == 1500 && c.pingTimeoutMs == 2000 && c.maxPayload == 4096 && c.stepDelayMs == 7)
        #expect(c.maxConnectionsPerUser == 3 && c.historyLimit == 42 && c.terminalRetentionSeconds == 9)
        #expect(c.maxDisconnectionDurationMs == 3000 && c.jwtSecret == "from-server-block" && c.audience == "aud-from-server")
        #expect(c.socketEventsPerSecond == 11 && c.socketEventBurst == 13)
        #expect(c.workflowCreatesPerSecond == 2.5 && c.workflowCreateBurst == 4)
        #expect(c.outboundQueueLimit == 65536 && c.maxSubscriptionsPerSocket == 6)
        #expect(c.log.logger.logLevel == .warning, "the embedded server stays quiet")
    }

    @Test func withoutAServerBlockTheSecretAndAudienceComeFromTheRun() throws {
        let s = try ScenarioLoader.parse("""
        name: plain
        auth: { users: 1, audience: aud }
        phases: [{ name: p, duration: 1s, clients: 1 }]
        groups: [{ name: g, steps: [connect] }]
        """)
        let c = ServerConfiguration.embedded(for: s, secret: "flag-secret")
        #expect(c.jwtSecret == "flag-secret" && c.audience == "aud")
        #expect(c.pingIntervalMs == ServerConfiguration().pingIntervalMs)
    }

    @Test func serveTakesEverySettingByItsScenarioName() throws {
        var c = ServerConfiguration()
        try c.apply(settings: ["history_limit=50", "ping_interval=2s", "rate_limit_events_per_second=12/s", "audience = aud"])
        #expect(c.historyLimit == 50 && c.pingIntervalMs == 2000 && c.socketEventsPerSecond == 12 && c.audience == "aud")
        #expect(throws: ServerConfiguration.SettingError.self) { try c.apply(settings: ["history=50"]) }
        #expect(throws: ServerConfiguration.SettingError.self) { try c.apply(settings: ["history_limit=lots"]) }
        #expect(throws: ServerConfiguration.SettingError.self) { try c.apply(settings: ["ping_interval=soon"]) }
    }

    @Test func targetsAndSecretsResolveInOneOrder() throws {
        #expect(RunTarget.urls(["http://a:1,http://b:2", " http://c:3 ", ""]) == ["http://a:1", "http://b:2", "http://c:3"])
        #expect(RunTarget.secret(flag: "f", environment: ["STAMPEDE_JWT_SECRET": "e"]) == "f")
        #expect(RunTarget.secret(flag: nil, environment: ["STAMPEDE_JWT_SECRET": "e"]) == "e")
        #expect(RunTarget.secret(flag: nil, environment: [:]) == "dev-secret")
        let embedded = try ScenarioLoader.parse(Self.block)
        #expect(RunTarget.external([], scenario: embedded) == nil)
        #expect(RunTarget.external(["http://x:1"], scenario: embedded) == ["http://x:1"])
        var remote = embedded
        remote.target = .url("http://scenario:9")
        #expect(RunTarget.external([], scenario: remote) == ["http://scenario:9"])
        #expect(RunTarget.external(["http://flag:1"], scenario: remote) == ["http://flag:1"], "the flag wins")
    }

    @Test func anEmbeddedTargetStartsFromTheScenarioAndStops() async throws {
        let s = try ScenarioLoader.parse(Self.block)
        let target = try await RunTarget.start([], scenario: s, secret: "unused")
        #expect(target.embedded != nil && target.baseURLs.count == 1)
        #expect(target.embedded?.configuration.historyLimit == 42)
        let options = target.runOptions(secret: "from-server-block")
        #expect(options.embedded && options.baseURL == target.baseURL && options.additionalBaseURLs.isEmpty)
        await target.stop()
    }
}
