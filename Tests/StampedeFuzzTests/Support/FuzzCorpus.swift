import Foundation

/// The committed seed inputs under `Tests/StampedeFuzzTests/FuzzCorpus/`,
/// one file per input, one directory per entry point. Inputs that once
/// crashed something are kept there too (`regression-*`), so every run
/// replays them verbatim before mutating anything.
///
/// Seeds may hold placeholders that a live run fills in before mutating:
/// `{{WF}}` (a workflow the fuzzing user owns), `{{TOKEN}}` (that user's
/// JWT), `{{SERVICE_TOKEN}}`, `{{SID}}` (a live polling session) and
/// `{{HOST}}`.
struct FuzzCorpus: Sendable {
    enum Kind: String, CaseIterable, Sendable {
        /// Socket.IO packet texts (`<type>[<n>-][<nsp>,][<id>][JSON]`).
        case socketio
        /// Engine.IO text frames (`<type><payload>`).
        case engineio
        /// Long-polling POST bodies (records joined by 0x1E).
        case polling
        /// JSON documents.
        case json
        /// Whole raw HTTP/1.1 requests.
        case http
        /// Raw client WebSocket frames (bytes on the wire after the 101).
        case wsframe
    }

    struct Seed: Sendable {
        var kind: Kind
        var name: String
        var bytes: [UInt8]
    }

    let seeds: [Kind: [Seed]]

    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("FuzzCorpus")

    static func load() throws -> FuzzCorpus {
        var seeds: [Kind: [Seed]] = [:]
        let fm = FileManager.default
        for kind in Kind.allCases {
            let dir = directory.appendingPathComponent(kind.rawValue)
            let names = try fm.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix(".") }.sorted()
            seeds[kind] = try names.map { name in
                Seed(kind: kind, name: name, bytes: Array(try Data(contentsOf: dir.appendingPathComponent(name))))
            }
        }
        return FuzzCorpus(seeds: seeds)
    }

    subscript(kind: Kind) -> [Seed] { seeds[kind] ?? [] }

    /// Every seed's bytes, for splicing one input into another.
    var allBytes: [[UInt8]] { Kind.allCases.flatMap { self[$0].map(\.bytes) } }
}

/// Placeholder values for one live run.
struct CorpusBindings: Sendable {
    var values: [String: String]

    /// Replaces every `{{NAME}}` with its value (unknown names are kept,
    /// which is a malformed input in its own right).
    func apply(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(UInt8(ascii: "{")) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "{"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "{"),
               let end = Self.closing(bytes, from: i + 2) {
                let name = String(decoding: bytes[(i + 2)..<end], as: UTF8.self)
                if let value = values[name] {
                    out += Array(value.utf8)
                    i = end + 2
                    continue
                }
            }
            out.append(bytes[i])
            i += 1
        }
        return out
    }

    private static func closing(_ b: [UInt8], from start: Int) -> Int? {
        var j = start
        while j + 1 < b.count, j - start < 32 {
            if b[j] == UInt8(ascii: "}"), b[j + 1] == UInt8(ascii: "}") { return j }
            j += 1
        }
        return nil
    }
}
