import Foundation
import StampedeJSON
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Debian's `chromium` in headless mode, driven over the DevTools protocol on
/// `--remote-debugging-pipe` (fd 3 in, fd 4 out, NUL-separated JSON): no
/// WebSocket client and no port to race for. Tests read what the page
/// observed (`Runtime.evaluate`) and keep screenshots (`Page.captureScreenshot`).
/// Its own target so the page tests and the report render test share one driver.
public final class HeadlessChromium: @unchecked Sendable {
    /// `CHROMIUM`, else chromium / chromium-browser / google-chrome on PATH; skips the test when none.
    public static func executable() throws -> String {
        let env = ProcessInfo.processInfo.environment
        if let explicit = env["CHROMIUM"], !explicit.isEmpty { return explicit }
        for dir in (env["PATH"] ?? "").split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome"] {
                let path = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
        }
        try Test.cancel("chromium is not on PATH (Debian package `chromium`; .ci/run installs it)")
    }

    public struct Failure: Error, CustomStringConvertible { public let description: String }

    private let pid: pid_t
    private let input: Int32
    private let output: Int32
    private let profile: URL
    public let logFile: URL
    private let lock = NSLock()
    private var nextID = 1
    private var pending: [Int: CheckedContinuation<JSONValue, Error>] = [:]
    private var events: [(session: String?, method: String, params: JSONValue)] = []
    private var ended = false

    public init(windowSize: (Int, Int) = (1200, 900)) throws {
        let exe = try Self.executable()
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("stampede-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        logFile = profile.appendingPathComponent("chromium.log")
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
        guard pipe(&toChild) == 0, pipe(&fromChild) == 0 else { throw Failure(description: "pipe failed") }
        // Keep our ends off 3 and 4, where the child expects its pipes.
        let childIn = fcntl(toChild[0], F_DUPFD_CLOEXEC, 10), childOut = fcntl(fromChild[1], F_DUPFD_CLOEXEC, 10)
        close(toChild[0]); close(fromChild[1])
        input = fcntl(toChild[1], F_DUPFD_CLOEXEC, 10); close(toChild[1])
        output = fcntl(fromChild[0], F_DUPFD_CLOEXEC, 10); close(fromChild[0])

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, childIn, 3)
        posix_spawn_file_actions_adddup2(&actions, childOut, 4)
        posix_spawn_file_actions_addopen(&actions, 1, logFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        let args = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                    "--disable-extensions", "--hide-scrollbars", "--mute-audio", "--remote-debugging-pipe",
                    "--window-size=\(windowSize.0),\(windowSize.1)", "--user-data-dir=\(profile.path)", "about:blank"]
        let argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, exe, &actions, nil, argv, environ)
        close(childIn); close(childOut)
        guard rc == 0 else { throw Failure(description: "posix_spawn \(exe) failed: \(rc)") }
        pid = child
        let reader = Thread { [self] in readLoop() }
        reader.start()
    }

    deinit { shutdown() }

    public func shutdown() {
        lock.lock()
        let first = !ended
        ended = true
        lock.unlock()
        guard first else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        close(input)
        try? FileManager.default.removeItem(at: profile)
    }

    private func readLoop() {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            buffer.append(contentsOf: chunk[0..<n])
            while let end = buffer.firstIndex(of: 0) {
                let message = Array(buffer[..<end])
                buffer.removeSubrange(...end)
                if let json = try? JSONParser.parse(message) { dispatch(json) }
            }
        }
        close(output)
        lock.lock()
        let waiting = pending
        pending = [:]
        ended = true
        lock.unlock()
        let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        for (_, c) in waiting { c.resume(throwing: Failure(description: "chromium exited; log:\n\(log.suffix(2000))")) }
    }

    private func dispatch(_ message: JSONValue) {
        if let id = message["id"]?.intValue {
            lock.lock()
            let c = pending.removeValue(forKey: Int(id))
            lock.unlock()
            if let error = message["error"] { c?.resume(throwing: Failure(description: "DevTools error: \(error.serialized)")) }
            else { c?.resume(returning: message["result"] ?? .null) }
        } else if let method = message["method"]?.stringValue {
            lock.lock()
            events.append((message["sessionId"]?.stringValue, method, message["params"] ?? .null))
            lock.unlock()
        }
    }

    /// One DevTools command; fails after `timeout` seconds without an answer.
    public func call(_ method: String, _ params: JSONObject = [:], session: String? = nil, timeout: Double = 30) async throws -> JSONValue {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<JSONValue, Error>) in
            lock.lock()
            if ended { lock.unlock(); c.resume(throwing: Failure(description: "chromium has exited")); return }
            let id = nextID
            nextID += 1
            pending[id] = c
            lock.unlock()
            var message: JSONObject = ["id": .int(Int64(id)), "method": .string(method), "params": .object(params)]
            if let session { message["sessionId"] = .string(session) }
            var bytes = JSONValue.object(message).serializedBytes
            bytes.append(0)
            let wrote = bytes.withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
            if wrote != bytes.count { fail(id, "writing to chromium failed") }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [weak self] in
                self?.fail(id, "\(method) got no answer within \(timeout)s")
            }
        }
    }

    private func fail(_ id: Int, _ why: String) {
        lock.lock()
        let c = pending.removeValue(forKey: id)
        lock.unlock()
        c?.resume(throwing: Failure(description: why))
    }

    /// Events received so far for `session` named `method`.
    public func events(_ method: String, session: String) -> [JSONValue] {
        lock.lock()
        defer { lock.unlock() }
        return events.filter { $0.method == method && $0.session == session }.map(\.params)
    }

    /// A new tab attached with a flat session, with Runtime and Page events on.
    public func openPage(_ url: String) async throws -> ChromiumPage {
        let target = try await call("Target.createTarget", ["url": "about:blank"])
        guard let targetID = target["targetId"]?.stringValue else { throw Failure(description: "no targetId in \(target.serialized)") }
        let attached = try await call("Target.attachToTarget", ["targetId": .string(targetID), "flatten": true])
        guard let session = attached["sessionId"]?.stringValue else { throw Failure(description: "no sessionId") }
        let page = ChromiumPage(browser: self, session: session)
        _ = try await call("Runtime.enable", session: session)
        _ = try await call("Page.enable", session: session)
        try await page.navigate(url)
        return page
    }
}

/// One tab.
public struct ChromiumPage: Sendable {
    public let browser: HeadlessChromium
    public let session: String

    public func navigate(_ url: String) async throws {
        _ = try await browser.call("Page.navigate", ["url": .string(url)], session: session)
    }

    /// Evaluates `expression` (awaiting a promise) and returns its JSON value.
    @discardableResult
    public func evaluate(_ expression: String) async throws -> JSONValue {
        let r = try await browser.call("Runtime.evaluate", ["expression": .string(expression), "returnByValue": true,
                                                            "awaitPromise": true], session: session)
        if let e = r["exceptionDetails"] {
            throw HeadlessChromium.Failure(description: "page threw: \(e["exception"]?["description"]?.stringValue ?? e.serialized)")
        }
        return r["result"]?["value"] ?? .null
    }

    /// Polls `expression` every 50 ms until it is truthy (not null/false/""); an expression that throws counts as not yet.
    @discardableResult
    public func waitFor(_ expression: String, timeout: Double = 20, _ what: String) async throws -> JSONValue {
        let deadline = Date().addingTimeInterval(timeout)
        var last: JSONValue = .null
        while Date() < deadline {
            do { last = try await evaluate(expression) } catch let f as HeadlessChromium.Failure where f.description.hasPrefix("page threw") {
                // Not there yet (the page is still loading, the element not rendered).
                last = .string(f.description)
                try await Task.sleep(nanoseconds: 50_000_000)
                continue
            }
            switch last {
            case .null, .bool(false): break
            case .string(let s) where s.isEmpty: break
            default: return last
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw HeadlessChromium.Failure(description: "timed out after \(timeout)s waiting for \(what); last value \(last.serialized)")
    }

    /// Exceptions the page threw (uncaught), as text.
    public var exceptions: [String] {
        browser.events("Runtime.exceptionThrown", session: session).map {
            $0["exceptionDetails"]?["exception"]?["description"]?.stringValue ?? $0.serialized
        }
    }

    /// A PNG of the whole page.
    public func screenshot(to file: URL) async throws {
        let r = try await browser.call("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": true], session: session)
        guard let b64 = r["data"]?.stringValue, let data = Data(base64Encoded: b64) else {
            throw HeadlessChromium.Failure(description: "no screenshot data")
        }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file)
    }
}
