import Testing

/// Every test that runs a real server and real clients, one at a time: they measure time
/// (stats settle, heartbeats), so they must not compete with each other for the two cores.
@Suite(.serialized) struct Live {}

// Top-level names for helpers other suites use.
typealias EndToEndTests = Live.EndToEndTests
typealias ChecksCanFailTests = Live.ChecksCanFailTests
