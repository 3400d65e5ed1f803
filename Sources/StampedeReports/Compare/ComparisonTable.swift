import Foundation

/// The side-by-side table `stampede compare` prints.
public enum ComparisonTable {
    public enum Format: String, Sendable, CaseIterable { case text, markdown }

    /// `showAll: false` (the default) prints only the rows that moved significantly — regressed,
    /// improved, missing, new — and counts the rest.
    public static func render(_ result: ComparisonResult, baselineName: String = "baseline",
                              currentName: String = "current", format: Format = .text, showAll: Bool = false) -> String {
        let header = ["metric", "stat", baselineName, currentName, "change", "tolerance", "status", "note"]
        let shown = showAll ? result.rows : result.rows.filter(\.moved)
        let body = shown.map { r -> [String] in
            [r.metric, r.statistic, value(r.baseline, r.unit), value(r.current, r.unit), change(r),
             r.direction == .informational || r.metric == "check" ? "" : "±" + BudgetText.number(r.tolerance * 100) + "%",
             marker(r.status), r.note ?? ""]
        }
        let hidden = result.rows.count - shown.count
        let noise = result.rows.filter { $0.status == .noise }.count
        var footer = ""
        if hidden > 0 {
            footer = "\n\(hidden) of \(result.rows.count) rows unchanged or within noise\(noise > 0 ? " (\(noise) moved beyond tolerance but not significantly)" : "")"
                + "; --all shows every row\n"
        }
        if shown.isEmpty { return String(footer.dropFirst()) + "\nno regressions beyond tolerance\n" }
        var out: String
        switch format {
        case .markdown:
            out = "| " + header.joined(separator: " | ") + " |\n|" + header.map { _ in "---|" }.joined() + "\n"
            for row in body { out += "| " + row.joined(separator: " | ") + " |\n" }
        case .text:
            let widths = header.indices.map { i in ([header[i]] + body.map { $0[i] }).map(\.count).max()! }
            func line(_ cells: [String]) -> String {
                cells.enumerated().map { i, c in
                    let pad = String(repeating: " ", count: widths[i] - c.count)
                    return (2...5).contains(i) ? pad + c : c + pad
                }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
            }
            out = line(header) + "\n" + line(widths.map { String(repeating: "-", count: $0) }) + "\n"
            for row in body { out += line(row) + "\n" }
        }
        out += footer
        let regressions = result.regressions
        out += regressions.isEmpty
            ? "\nno regressions beyond tolerance\n"
            : "\n\(regressions.count) regression\(regressions.count == 1 ? "" : "s") beyond tolerance: "
                + regressions.map { "\($0.metric).\($0.statistic)" }.joined(separator: ", ") + "\n"
        return out
    }

    static func value(_ v: Double?, _ unit: String) -> String {
        guard let v else { return "—" }
        if unit == "pass" { return v == 1 ? "passed" : "failed" }
        return BudgetText.number(v) + (unit.isEmpty || unit == "/s" ? "" : " \(unit)")
    }

    static func change(_ r: ComparisonRow) -> String {
        guard r.metric != "check", let rel = r.relativeChange else { return "" }
        return (rel >= 0 ? "+" : "") + String(format: "%.1f%%", rel * 100)
    }

    static func marker(_ s: ComparisonRow.Status) -> String {
        switch s {
        case .same: return "ok"
        case .improved: return "improved"
        case .regressed: return "REGRESSED"
        case .missing: return "MISSING"
        case .new: return "new"
        case .info: return ""
        case .noise: return "noise"
        }
    }
}
