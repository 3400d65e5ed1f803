// swift-tools-version:6.1
import PackageDescription

/// The generator's publishers against the same embedded server through the project's own
/// HTTP/1.1 client and through async-http-client, side by side (issue 10: keep the hand-written
/// client only if it wins). Its own package, so the main build never compiles async-http-client.
let package = Package(
    name: "PublisherClients",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "stampede", path: "../.."),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(name: "PublisherClients", dependencies: [
            .product(name: "StampedeClient", package: "stampede"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
    ]
)
