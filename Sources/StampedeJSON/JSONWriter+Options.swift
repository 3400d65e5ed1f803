extension JSONWriter {
    /// How a document meant for people and diffs is laid out (report.json, state files). The wire
    /// keeps the compact, insertion-ordered form of `write(_:into:)`.
    public struct Options: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// Object keys in byte order, so equal documents are equal text.
        public static let sortedKeys = Options(rawValue: 1 << 0)
        /// Two-space indentation and `"key" : value`, the layout of Foundation's `.prettyPrinted`,
        /// so files written before the switch to this writer compare equal.
        public static let prettyPrinted = Options(rawValue: 1 << 1)
    }

    public static func write(_ value: JSONValue, options: Options, into out: inout String) {
        if options.isEmpty { return write(value, into: &out) }
        write(value, options: options, depth: 0, into: &out)
    }

    private static func write(_ value: JSONValue, options: Options, depth: Int, into out: inout String) {
        let pretty = options.contains(.prettyPrinted)
        switch value {
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                if pretty { newline(depth + 1, into: &out) }
                write(item, options: options, depth: depth + 1, into: &out)
            }
            if pretty { closing(empty: items.isEmpty, depth, into: &out) }
            out += "]"
        case .object(let object):
            out += "{"
            let entries = options.contains(.sortedKeys)
                ? object.entries.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } : object.entries
            for (i, e) in entries.enumerated() {
                if i > 0 { out += "," }
                if pretty { newline(depth + 1, into: &out) }
                writeString(e.key, into: &out)
                out += pretty ? " : " : ":"
                write(e.value, options: options, depth: depth + 1, into: &out)
            }
            if pretty { closing(empty: entries.isEmpty, depth, into: &out) }
            out += "}"
        default:
            write(value, into: &out)
        }
    }

    private static func newline(_ depth: Int, into out: inout String) {
        out += "\n"
        for _ in 0..<depth { out += "  " }
    }

    /// Foundation leaves an empty line inside an empty container (`[\n\n  ]`); kept for the same
    /// reason as the `" : "`.
    private static func closing(empty: Bool, _ depth: Int, into out: inout String) {
        if empty { out += "\n" }
        newline(depth, into: &out)
    }
}
