import Testing

/// The cluster suites one at a time, as XCTest ran them: they share the test database
/// (and ClusterFaultTests stops and starts a PostgreSQL of its own).
@Suite(.serialized) struct ClusterSuites {}
