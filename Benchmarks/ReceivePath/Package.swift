// swift-tools-version:6.1
import PackageDescription

import class Foundation.ProcessInfo

/// The load generator's receive path, one delivered EVENT frame at a time: its payload bytes
/// into `ClientStateMachine` and out as a `ReceivedEvent` (issue 14: no `String` per frame).
/// ns and mallocs per frame, with ordo-one/benchmark. Its own package, so the main build never
/// compiles the benchmark framework.
///
/// `RECEIVE_PATH_API=text` builds the pre-issue-14 call (`String(buffer:)`, then
/// `receive(String)`), for measuring a tree from before the change with the same source.
let textAPI = ProcessInfo.processInfo.environment["RECEIVE_PATH_API"] == "text"

let package = Package(
    name: "ReceivePath",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "stampede", path: "../.."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "ReceivePath",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "StampedeClient", package: "stampede"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/ReceivePath",
            swiftSettings: textAPI ? [.define("RECEIVE_PATH_TEXT_API")] : [],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
