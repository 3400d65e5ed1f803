import Foundation
import Testing

/// A real `stampede serve --postgres` node as a child process (the built
/// executable), for the faults only a separate process can show: `kill -9`.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    private let output = Pipe()
    private(set) var baseURL = ""

    static var binary: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/stampede")
    }

    /// Starts a node and waits for its "listening on" line.
    static func start(postgres url: String, nodeID: String, secret: String) throws -> ServeProcess {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            try Test.cancel("\(binary.path) is not built (swift build)")
        }
        let s = ServeProcess()
        s.process.executableURL = binary
        s.process.arguments = ["serve", "--port", "0", "--postgres", url, "--node-id", nodeID, "--jwt-secret", secret]
        s.process.standardOutput = s.output
        s.process.standardError = FileHandle.nullDevice
        try s.process.run()
        var line = Data()
        let reader = s.output.fileHandleForReading
        while !line.contains(UInt8(ascii: "\n")) {
            let d = reader.availableData
            guard !d.isEmpty else { break }
            line.append(d)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let r = text.range(of: "listening on ") else { s.kill(); throw NotListening(output: text) }
        s.baseURL = String(text[r.upperBound...].prefix { $0 != " " && $0 != "\n" })
        return s
    }

    struct NotListening: Error { let output: String }

    /// SIGKILL: no shutdown, no session rows, heartbeat rows left behind.
    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
