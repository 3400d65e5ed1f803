import Foundation
import Testing

/// The built `stampede` binary and short-lived child processes, for the page and report tests
/// that run the command line as a user types it (one copy; these targets share this support
/// target already for the browser).
public enum BuiltCLI {
    /// The package root, from this file's place in it (`Tests/BrowserSupport/`).
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `.build/debug/stampede`, else the release one; the test is skipped when neither is built.
    public static func binary() throws -> URL {
        for config in ["debug", "release"] {
            let url = repositoryRoot.appendingPathComponent(".build/\(config)/stampede")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        try Test.cancel("the stampede executable is not built")
    }

    /// Runs `executable` to its end; its exit status and stdout+stderr together.
    public static func run(_ executable: URL, _ arguments: [String],
                           environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The built `stampede` with these arguments.
    public static func stampede(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try run(try binary(), arguments)
    }
}
