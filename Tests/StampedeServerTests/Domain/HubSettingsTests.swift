import NIOCore
import Testing
@testable import StampedeServer

/// The domain's settings are views of one `ServerConfiguration`: a value set there is the value
/// the domain enforces, with no second copy (and no second default) to drift from it.
@Suite struct HubSettingsTests {
    @Test func limitsFollowTheConfigurationAfterEveryChange() {
        var s = HubSettings(ServerConfiguration())
        #expect(s.limits.maxSubscriptionsPerSocket == ServerConfiguration().maxSubscriptionsPerSocket)
        s.server.maxSubscriptionsPerSocket = 3
        s.server.protectStats = true
        s.server.rateLimitAbuseWindowSeconds = 4
        #expect(s.limits.maxSubscriptionsPerSocket == 3)
        #expect(s.limits.statsRequireAdmin)
        #expect(s.limits.refusalWindowSeconds == 4)
    }

    @Test func durationsAreTheConfiguredOnesInTheDomainsUnits() {
        var c = ServerConfiguration()
        c.stepDelayMs = 15
        c.terminalRetentionSeconds = 0.25
        c.maxDisconnectionDurationMs = 900
        c.jwtSecret = "s"
        c.audience = "aud"
        let s = HubSettings(c)
        #expect(s.stepDelay == .milliseconds(15))
        #expect(s.terminalRetention == .milliseconds(250))
        #expect(s.maxDisconnectionDuration == .milliseconds(900))
        #expect(s.verifier.secret == "s" && s.verifier.audience == "aud")
    }
}
