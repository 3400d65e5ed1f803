import Foundation
import Testing

/// docs/ARCHITECTURE.md walks the fan-out and the generator's receive path with `file:line`
/// references; each row also quotes the code on that line, so a reference that went stale (the
/// code moved or was renamed) fails here instead of sending a reader to the wrong place.
@Suite struct ArchitectureDocTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func everyWalkedLineHoldsTheCodeItQuotes() throws {
        let doc = try String(contentsOf: Self.root.appendingPathComponent("docs/ARCHITECTURE.md"), encoding: .utf8)
        let row = try Regex(#"\| `([^`]+)` \| `((?:Sources|Tests)/[^`:]+):(\d+)` \|"#)
        var checked = 0
        for match in doc.matches(of: row) {
            let code = String(match.output[1].substring ?? ""), path = String(match.output[2].substring ?? "")
            let line = Int(match.output[3].substring ?? "") ?? 0
            let text = try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(line >= 1 && line <= lines.count && lines[line - 1].contains(code),
                    "\(path):\(line) no longer holds `\(code)`: \(line >= 1 && line <= lines.count ? String(lines[line - 1]) : "past the end")")
            checked += 1
        }
        #expect(checked >= 12, "the two walks quote their steps (\(checked) found)")
    }
}
