import Foundation
import Yams

/// One YAML node plus where it came from, so every type error can name file:line:column.
/// Scalars get `${var}` / `${var:-default}` substituted when read (not before parsing),
/// which keeps the marks pointing at the text the user wrote.
struct YAMLCursor {
    let node: Node
    let file: String
    let variables: [String: String]
    let path: String

    var line: Int { node.mark?.line ?? 1 }
    var column: Int { node.mark?.column ?? 1 }

    func error(_ message: String) -> ScenarioFileError {
        ScenarioFileError(file: file, line: line, column: column, message: path.isEmpty ? message : "\(path): \(message)")
    }

    func child(_ node: Node, _ name: String) -> YAMLCursor {
        YAMLCursor(node: node, file: file, variables: variables, path: path.isEmpty ? name : "\(path).\(name)")
    }

    var isMapping: Bool { if case .mapping = node { return true } else { return false } }
    var isSequence: Bool { if case .sequence = node { return true } else { return false } }
    var isScalar: Bool { if case .scalar = node { return true } else { return false } }

    /// Mapping entries in file order.
    func entries() throws -> [(key: String, value: YAMLCursor)] {
        try keyedEntries().map { ($0.key, $0.value) }
    }

    /// Entries with the key's own node, so an unknown key is reported where the key is written.
    func keyedEntries() throws -> [(key: String, keyNode: Node, value: YAMLCursor)] {
        guard case .mapping(let m) = node else { throw error("expected a mapping") }
        return try m.map { pair in
            guard case .scalar(let k) = pair.key else { throw child(pair.key, "?").error("keys must be plain strings") }
            return (k.string, pair.key, child(pair.value, k.string))
        }
    }

    /// The mapping's fields, refusing keys outside `allowed` with a did-you-mean hint.
    func fields(_ allowed: Set<String>) throws -> YAMLFields {
        var dict: [String: YAMLCursor] = [:]
        for (k, keyNode, v) in try keyedEntries() {
            guard allowed.contains(k) else {
                let hint = Self.closest(k, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
                throw YAMLCursor(node: keyNode, file: file, variables: variables, path: path)
                    .error("unknown key '\(k)'\(hint); allowed: \(allowed.sorted().joined(separator: ", "))")
            }
            dict[k] = v
        }
        return YAMLFields(owner: self, values: dict)
    }

    func list() throws -> [YAMLCursor] {
        guard case .sequence(let s) = node else { throw error("expected a list") }
        return s.enumerated().map { child($0.element, "[\($0.offset)]") }
    }

    func string() throws -> String {
        guard case .scalar(let s) = node else { throw error("expected a string") }
        return try substitute(s.string)
    }

    func int() throws -> Int {
        let s = try string().replacingOccurrences(of: "_", with: "")
        guard let v = Int(s) else { throw error("expected an integer, got '\(s)'") }
        return v
    }

    func double() throws -> Double {
        let s = try string()
        guard let v = Double(s) else { throw error("expected a number, got '\(s)'") }
        return v
    }

    func bool() throws -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        case let s: throw error("expected true or false, got '\(s)'")
        }
    }

    func duration() throws -> Double {
        let s = try string()
        guard let v = DurationText.seconds(s) else { throw error("expected a duration like 250ms, 10s, 2m; got '\(s)'") }
        return v
    }

    func rate() throws -> Double {
        let s = try string()
        guard let v = DurationText.perSecond(s) else { throw error("expected a rate like 200/s, 30/m or 5; got '\(s)'") }
        return v
    }

    func oneOf<E: RawRepresentable & CaseIterable>(_ type: E.Type) throws -> E where E.RawValue == String {
        let s = try string()
        guard let v = E(rawValue: s) else {
            throw error("'\(s)' is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }

    private func substitute(_ text: String) throws -> String {
        guard text.contains("${") else { return text }
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { throw error("unterminated ${ in '\(text)'") }
            let inner = String(rest[open.upperBound..<close])
            let parts = inner.components(separatedBy: ":-")
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("env:") {
                // `${env:NAME}` / `${env:NAME:-default}`: the generator's environment, read at load time.
                let key = String(name.dropFirst(4))
                if let v = ProcessInfo.processInfo.environment[key], !v.isEmpty { out += v }
                else if parts.count > 1 { out += parts.dropFirst().joined(separator: ":-") }
                else { throw error("environment variable \(key) is not set (export it, or give a default: ${env:\(key):-…})") }
            } else if let v = variables[name] {
                out += v
            } else if parts.count > 1 {
                out += parts.dropFirst().joined(separator: ":-")
            } else {
                throw error("undefined variable '\(name)' (declare it under variables: or pass --set \(name)=…)")
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    static func closest(_ word: String, in candidates: Set<String>) -> String? {
        let scored: [(name: String, distance: Int)] = candidates.map { (name: $0, distance: editDistance(word, $0)) }
        let best = scored.min { (a, b) -> Bool in a.distance != b.distance ? a.distance < b.distance : a.name < b.name }
        guard let best, best.distance <= max(2, word.count / 3) else { return nil }
        return best.name
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        for i in 1...a.count {
            var cur = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return prev[b.count]
    }
}

/// The checked fields of one mapping.
struct YAMLFields {
    let owner: YAMLCursor
    let values: [String: YAMLCursor]

    subscript(_ key: String) -> YAMLCursor? { values[key] }

    func require(_ key: String) throws -> YAMLCursor {
        guard let v = values[key] else { throw owner.error("missing required key '\(key)'") }
        return v
    }
}
