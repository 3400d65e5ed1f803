import Testing

/// Every XCTest-era suite of this target, one at a time, as XCTest ran them: most start
/// real servers, and some count tokens against time (rate limits, heartbeats, upgrade
/// timeouts), so they must not compete with each other for the two cores.
@Suite(.serialized) struct ServerSuites {}
