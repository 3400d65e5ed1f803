// swift-tools-version:6.1
import PackageDescription

/// Module map (see docs/ARCHITECTURE.md):
/// StampedeJSON → SocketIOWire (pure codec) → StampedeContract (typed events, acks, errors)
/// → StampedeAuth (JWT verify/mint) → StampedeServer | StampedeClient → StampedeScenario
/// → StampedeReports; StampedeCluster puts the server's journal on PostgreSQL;
/// `stampede` is the thin CLI over all of them. StampedePages holds the browser pages and
/// the browser Socket.IO client as files (served by the server and by StampedeDashboard,
/// the live page of `stampede run --dashboard`).
let package = Package(
    name: "stampede",
    // iOS 16: the client library's floor (Duration, Task.sleep(for:)); every dependency allows it
    // (jwt-kit needs iOS 15). Declared, not built here: this machine is Linux.
    platforms: [.macOS(.v14), .iOS(.v16)],
    products: [
        .executable(name: "stampede", targets: ["stampede"]),
        .library(name: "StampedeClient", targets: ["StampedeClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "4.1.0"..<"6.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-extras/swift-extras-base64.git", from: "1.2.0"),
    ],
    targets: [
        .target(name: "StampedeJSON"),
        .target(name: "SocketIOWire", dependencies: [
            "StampedeJSON",
            .product(name: "ExtrasBase64", package: "swift-extras-base64"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),   // SHA-1 of the WebSocket handshake
        ]),
        .target(name: "StampedeContract", dependencies: ["StampedeJSON"]),
        .target(name: "StampedeTimers"),
        .target(name: "StampedeAuth", dependencies: [
            "StampedeContract", "StampedeJSON",
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "ExtrasBase64", package: "swift-extras-base64"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "CryptoExtras", package: "swift-crypto"),
        ]),
        .target(name: "StampedePages", resources: [.copy("Public")]),
        .target(name: "StampedeServer", dependencies: [
            "SocketIOWire", "StampedeContract", "StampedeAuth", "StampedeJSON", "StampedePages", "StampedeTimers", "CEpoll",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Atomics", package: "swift-atomics"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "DequeModule", package: "swift-collections"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "StampedeCluster", dependencies: [
            "StampedeServer", "StampedeContract", "StampedeJSON",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // epoll and eventfd for the load generator's reactor loop, accept4 for the server's
        // listener (Swift's Glibc module lacks them).
        .target(name: "CEpoll"),
        .target(name: "StampedeClient", dependencies: [
            "SocketIOWire", "StampedeContract", "StampedeJSON", "CEpoll", "StampedeTimers",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        .target(name: "StampedeReports", dependencies: [
            "StampedeJSON",
            .product(name: "ExtrasBase64", package: "swift-extras-base64"),
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        .target(name: "StampedeScenario", dependencies: [
            "StampedeClient", "StampedeContract", "StampedeAuth", "StampedeReports", "StampedeJSON",
            .product(name: "Yams", package: "Yams"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        // Where a run goes: --target URL(s), the scenario's target, or the embedded server
        // configured from the scenario's `server:` block (shared by run, conformance and the tests).
        .target(name: "StampedeTarget", dependencies: [
            "StampedeScenario", "StampedeServer", "StampedeJSON",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "StampedeConformance", dependencies: [
            "StampedeScenario", "StampedeReports", "StampedeClient", "StampedeAuth", "StampedeContract", "SocketIOWire", "StampedeJSON",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        .target(name: "StampedeDashboard", dependencies: [
            "StampedePages", "StampedeScenario", "StampedeReports", "StampedeJSON",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        .executableTarget(name: "stampede", dependencies: [
            "StampedeConformance", "StampedeTarget", "StampedeCluster", "StampedeDashboard",
            "StampedeServer", "StampedeScenario", "StampedeReports", "StampedeClient", "StampedeAuth",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "StampedeWireTests", dependencies: [
            "SocketIOWire", "StampedeJSON", .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .testTarget(name: "StampedeContractTests", dependencies: [
            "StampedeContract", "StampedeAuth", "StampedeJSON",
            .product(name: "JWTKit", package: "jwt-kit"),
        ]),
        // The tests' shared support: the real server on a loopback port (HubServerHarness), the raw
        // HTTP client and hostile frame bytes, the one polling wait and the one seeded generator; the raw WebSocket and the
        // async inbox it shares with the conformance probes live in StampedeConformance.
        .target(name: "StampedeTestSupport", dependencies: [
            "StampedeServer", "StampedeConformance", "StampedeAuth", "StampedeContract", "StampedeJSON",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ], path: "Tests/StampedeTestSupport"),
        .testTarget(name: "StampedeServerTests", dependencies: [
            "StampedeTestSupport", "StampedeConformance", "StampedeServer", "StampedeClient", "StampedeAuth", "SocketIOWire", "StampedeContract", "StampedeJSON",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        // Seeded mutational fuzzing of the codecs and of a live server (issue 8);
        // FuzzCorpus/ is read from the source tree, not bundled.
        .testTarget(name: "StampedeFuzzTests", dependencies: [
            "SocketIOWire", "StampedeJSON", "StampedeContract", "StampedeAuth", "StampedeServer", "StampedeTestSupport",
        ], exclude: ["FuzzCorpus"]),
        .testTarget(name: "StampedeClientTests", dependencies: ["StampedeClient", "StampedeServer", "StampedeAuth", "StampedeTestSupport"]),
        .testTarget(name: "StampedeScenarioTests", dependencies: ["StampedeScenario", "StampedeServer", "StampedeReports", "StampedeTarget"]),
        .testTarget(name: "StampedeReportsTests", dependencies: [
            "StampedeReports", "StampedeJSON", "StampedeBrowserSupport", "StampedeTestSupport",
            .product(name: "Yams", package: "Yams"),   // the deploy recipes' YAML
        ]),
        // The headless-Chromium DevTools driver shared by the page tests and the report render test.
        .target(name: "StampedeBrowserSupport", dependencies: ["StampedeJSON"], path: "Tests/BrowserSupport"),
        .testTarget(name: "StampedeClusterTests", dependencies: [
            "StampedeCluster", "StampedeServer", "StampedeClient", "StampedeAuth", "StampedeContract", "StampedeJSON",
            "StampedeScenario", "StampedeReports", "StampedeTestSupport",
        ]),
        .testTarget(name: "StampedePagesTests", dependencies: [
            "StampedeDashboard", "StampedeServer", "StampedeClient", "StampedeScenario", "StampedeReports",
            "StampedeAuth", "StampedeJSON", "StampedeBrowserSupport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        .testTarget(name: "StampedeConformanceTests", dependencies: ["StampedeConformance", "StampedeServer", "StampedeClient", "StampedeAuth", "StampedeTarget"]),
    ]
)
