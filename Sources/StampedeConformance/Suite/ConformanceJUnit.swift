import StampedeReports

/// `--junit FILE`: one test case per check so CI shows failures natively.
public enum ConformanceJUnit {
    public static func render(_ results: [ConformanceResult], suite: String = "stampede-conformance") -> String {
        let failures = results.filter(\.failed).count
        let skipped = results.filter { if case .skip = $0.outcome { return true } else { return false } }.count
        var out = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        out += #"<testsuite name="\#(escape(suite))" tests="\#(results.count)" failures="\#(failures)" skipped="\#(skipped)">"# + "\n"
        for r in results {
            let classname = r.name.split(separator: ".").first.map(String.init) ?? "conformance"
            out += #"  <testcase classname="\#(escape(classname))" name="\#(escape(r.name))">"#
            switch r.outcome {
            case .pass: break
            case .fail(let e): out += #"<failure message="\#(escape(e))">\#(escape(e))</failure>"#
            case .skip(let e): out += #"<skipped message="\#(escape(e))"/>"#
            case .warn(let e): out += "<system-out>\(escape("WARN (\(r.level.rawValue)): " + e))</system-out>"
            }
            out += "</testcase>\n"
        }
        return out + "</testsuite>\n"
    }

    static func escape(_ s: String) -> String { XMLEscaping.escape(s) }
}
