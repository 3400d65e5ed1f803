import Foundation
import StampedeBrowserSupport
import Testing

/// The built `stampede` binary as a child process whose output is collected while it runs,
/// for tests that signal it or read a line it prints before exiting (`serve`'s address).
final class CLIProcess: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var collected = Data()
    private let pipe = Pipe()

    static func binary() throws -> URL { try BuiltCLI.binary() }

    init(_ arguments: [String], directory: URL? = nil) throws {
        process.executableURL = try Self.binary()
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            guard let self, !d.isEmpty else { return }
            self.lock.lock()
            self.collected.append(d)
            self.lock.unlock()
        }
        try process.run()
    }

    var output: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: collected, as: UTF8.self)
    }

    /// Polls the output until `predicate` holds (or `seconds` pass); returns the output.
    @discardableResult
    func waitFor(seconds: Double, _ predicate: (String) -> Bool) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let o = output
            if predicate(o) || !process.isRunning { return o }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return output
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the exit (killing it after `seconds`); nil when it had to be killed.
    func waitForExit(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        collectTheRest()
        return process.terminationStatus
    }

    /// After the exit: what the child wrote that the readability handler has not
    /// delivered yet (it runs on its own queue, so the exit can overtake it; under
    /// parallel tests it did, and `output` came back empty).
    private func collectTheRest() {
        pipe.fileHandleForReading.readabilityHandler = nil
        try? pipe.fileHandleForWriting.close()
        let rest = pipe.fileHandleForReading.readDataToEndOfFile()
        lock.lock()
        collected.append(rest)
        lock.unlock()
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}
