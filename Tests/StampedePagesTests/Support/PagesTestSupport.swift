import Foundation
import NIOPosix
import StampedeClient

enum PagesTestPaths {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
}

/// One HTTP request to the server under test, outside the browser.
enum PagesHTTP {
    static func call(_ method: String, port: Int, path: String, token: String? = nil, body: String? = nil) async throws -> HTTPResponse {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let http = HTTPClient(endpoint: try ServerEndpoint(url: "http://127.0.0.1:\(port)"), eventLoopGroup: group, timeout: .seconds(10))
        defer { http.shutdown(); group.shutdownGracefully { _ in } }
        return try await http.requestJSON(method, path, bearer: token, json: body)
    }

    static func post(port: Int, path: String, token: String, body: String) async throws -> String {
        try await call("POST", port: port, path: path, token: token, body: body).text
    }
}
