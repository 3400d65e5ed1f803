import Foundation
import Testing

/// The same corpus and mutator against a real server on a loopback port:
/// raw HTTP requests (`/socket.io/`, `/api/v1/*`, upgrades), long-polling
/// POST bodies into a joined session, and WebSocket frames — text and
/// binary packets, and raw frame bytes — after a real handshake. After the
/// run the server must still answer `/health` and serve a well-behaved
/// client; a trap in the embedded server ends the process (the failure),
/// with `CrashWitness` printing the last inputs.
@Suite(.serialized) final class LiveServerFuzzTests {
    @Test func testServerSurvivesMutatedRequestsBodiesAndFrames() async throws {
        let settings = FuzzSettings.fromEnvironment()
        let corpus = try FuzzCorpus.load()
        CrashWitness.install()
        defer { CrashWitness.uninstall() }
        let target = try await LiveTarget.start(settings)
        let bindings = try target.bindings()
        let fuzzer = LiveFuzzer(target: target, corpus: corpus, bindings: bindings, settings: settings)
        let failure = fuzzer.run()
        let healthy = target.isHealthy
        let served = fuzzer.wellBehavedClientIsServed()
        await target.stop()
        if let failure { Issue.record("\(failure)") }
        #expect(healthy, "/health stopped answering after the run (\(settings.reproduction))")
        #expect(served, "a joined WebSocket's subscribe got no ack after the run (\(settings.reproduction))")
        print("live fuzz: \(fuzzer.summary)")
    }
}

/// One fuzz run's state: the corpus, the mutator, one joined WebSocket and
/// one joined polling session (both reopened whenever an input gets them
/// closed), and the last inputs sent, for the crash witness.
final class LiveFuzzer {
    enum Channel: String { case http, polling, websocket }

    let target: LiveTarget
    let corpus: FuzzCorpus
    let bindings: CorpusBindings
    let settings: FuzzSettings
    private var mutator: Mutator
    private var ws: FuzzWebSocket?
    private var sid: String?
    private var recent: [(String, [UInt8])] = []
    private var sent: [Channel: Int] = [:]
    private var answered: [String: Int] = [:]
    private var reopened = 0
    private let token: String

    init(target: LiveTarget, corpus: FuzzCorpus, bindings: CorpusBindings, settings: FuzzSettings) {
        self.target = target
        self.corpus = corpus
        self.bindings = bindings
        self.settings = settings
        token = bindings.values["TOKEN"] ?? ""
        mutator = Mutator(seed: settings.seed ^ 0x11FE, splices: corpus.allBytes)
    }

    var summary: String {
        "sent \(sent.map { "\($0.key.rawValue) \($0.value)" }.sorted().joined(separator: ", ")); "
            + "reopened \(reopened) sessions; answers \(answered.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " "))"
    }

    /// nil, or why the run stopped (the server stopped answering).
    func run() -> String? {
        // 1. Every seed verbatim, on every channel it fits.
        for seed in corpus[.http] { if let f = feed(.http, bindings.apply(seed.bytes), "seed http/\(seed.name)") { return f } }
        for seed in corpus[.polling] { if let f = feed(.polling, bindings.apply(seed.bytes), "seed polling/\(seed.name)") { return f } }
        for seed in corpus[.socketio] {
            let packet = Array("4".utf8) + bindings.apply(seed.bytes)
            if let f = feed(.polling, packet, "seed socketio/\(seed.name) (polling)") { return f }
            if let f = feed(.websocket, packet, "seed socketio/\(seed.name) (websocket)") { return f }
        }
        for seed in corpus[.engineio] { if let f = feed(.websocket, bindings.apply(seed.bytes), "seed engineio/\(seed.name)") { return f } }
        for seed in corpus[.wsframe] { if let f = feed(.websocket, seed.bytes, "seed wsframe/\(seed.name)", raw: true) { return f } }
        // 2. Mutations.
        for i in 0..<settings.liveInputs {
            let label = "input #\(i), \(settings.reproduction)"
            let roll = mutator.random.below(100)
            let f: String?
            switch roll {
            case 0..<30:
                f = feed(.http, mutated(.http), label)
            case 30..<55:
                let kind: FuzzCorpus.Kind = mutator.random.chance(50) ? .polling : .socketio
                let body = kind == .socketio ? Array("4".utf8) + mutated(.socketio) : mutated(.polling)
                f = feed(.polling, body, label)
            case 55..<80:
                f = feed(.websocket, Array("4".utf8) + mutated(.socketio), label)
            case 80..<87:
                f = feed(.websocket, mutated(.engineio), label)
            case 87..<92:
                f = feed(.websocket, mutated(.socketio), label, binary: true)
            default:
                f = feed(.websocket, mutated(.wsframe, bind: false), label, raw: true)
            }
            if let f { return f }
            if i % 500 == 499, !target.isHealthy { return stopped("after \(label)") }
        }
        return nil
    }

    private func mutated(_ kind: FuzzCorpus.Kind, bind: Bool = true) -> [UInt8] {
        let seed = mutator.random.pick(corpus[kind])
        return mutator.mutate(bind ? bindings.apply(seed.bytes) : seed.bytes)
    }

    /// Sends one input; nil, or a failure if the server is gone.
    private func feed(_ channel: Channel, _ bytes: [UInt8], _ label: String, raw: Bool = false, binary: Bool = false) -> String? {
        witness(channel, label, bytes)
        sent[channel, default: 0] += 1
        switch channel {
        case .http:
            let answer = target.exchange(bytes, ms: 40)
            count(answer.isEmpty ? "http:none" : "http:\(HTTPWire.status(answer).map(String.init) ?? "garbage")")
        case .polling:
            guard let sid = pollingSession() else { return stopped("no polling session could be opened before \(label)") }
            let path = "/socket.io/?EIO=4&transport=polling&sid=\(sid)"
            var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(target.port)\r\nContent-Type: text/plain;charset=UTF-8\r\n"
            head += "Content-Length: \(bytes.count)\r\n\r\n"
            let answer = target.exchange(Array(head.utf8) + bytes, ms: 100)
            let status = HTTPWire.status(answer)
            count("polling:\(status.map(String.init) ?? "none")")
            if status != 200 { self.sid = nil }
            // Collect what the session queued now and then, so it is not
            // cut as a slow consumer on every run (it may be, which is fine).
            if (sent[.polling] ?? 0) % 8 == 0 { _ = target.exchange(Array("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n".utf8), ms: 5) }
        case .websocket:
            guard let ws = webSocket() else { return stopped("no WebSocket session could be opened before \(label)") }
            if raw {
                ws.sendRaw(bytes)
            } else {
                ws.sendFrame(opcode: binary ? 2 : 1, bytes)
            }
            ws.pump(ms: (sent[.websocket] ?? 0) % 16 == 0 ? 5 : 0)
            if !ws.isOpen { count("websocket:closed"); self.ws = nil }
        }
        return nil
    }

    private func count(_ key: String) { answered[key, default: 0] += 1 }

    private func pollingSession() -> String? {
        if let sid { return sid }
        sid = target.pollingSession(token: token)
        reopened += 1
        return sid
    }

    private func webSocket() -> FuzzWebSocket? {
        if let ws, ws.isOpen { return ws }
        ws = FuzzWebSocket.open(port: target.port, auth: #"{"token":"\#(token)"}"#)
        reopened += 1
        return ws
    }

    /// The last few inputs (a server may trap a little after the input
    /// that caused it), newest last.
    private func witness(_ channel: Channel, _ label: String, _ bytes: [UInt8]) {
        recent.append(("\(channel.rawValue) \(label)", bytes))
        if recent.count > 8 { recent.removeFirst() }
        var all: [UInt8] = []
        for (l, b) in recent { all += Array("\n--- \(l) (\(b.count) bytes)\n".utf8) + b }
        CrashWitness.record("live: last \(recent.count) inputs, newest \(channel.rawValue) \(label)", all)
    }

    /// The server is gone or refuses service: say why, and keep the inputs.
    private func stopped(_ why: String) -> String {
        let healthy = target.isHealthy
        var dump = ""
        for (l, b) in recent { dump += "\n--- \(l)\n" + String(decoding: b.prefix(2_000), as: UTF8.self) }
        var all: [UInt8] = []
        for (_, b) in recent { all += b + [0x0A] }
        _ = FileManager.default.createFile(atPath: CrashWitness.crashFile, contents: Data(all))
        return "\(why); /health \(healthy ? "still answers" : "does not answer"); last inputs (also in \(CrashWitness.crashFile)):\(dump)"
    }

    /// A fresh joined WebSocket subscribes to the fuzzed workflow and gets its ack.
    func wellBehavedClientIsServed() -> Bool {
        guard let ws = FuzzWebSocket.open(port: target.port, auth: #"{"token":"\#(token)"}"#) else { return false }
        defer { ws.close() }
        ws.sendText(#"421["subscribe",{"workflow_id":"\#(bindings.values["WF"] ?? "")"}]"#)
        while let t = ws.nextText(ms: 2_000) {
            if t.hasPrefix("431[") { return true }
        }
        return false
    }
}
