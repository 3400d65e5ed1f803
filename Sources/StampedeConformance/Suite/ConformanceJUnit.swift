import StampedeReports

/// `--junit FILE`: one test case per check so CI shows failures natively, written by the
/// project's one JUnit writer (`JUnitDocument`), with the commit beside the results.
public enum ConformanceJUnit {
    public static func render(_ results: [ConformanceResult], suite: String = "stampede-conformance",
                              gitCommit: String? = GitCommit.detect(), stampedeVersion: String = StampedeVersion.number) -> String {
        document(results, suite: suite, gitCommit: gitCommit, stampedeVersion: stampedeVersion).render()
    }

    public static func document(_ results: [ConformanceResult], suite: String = "stampede-conformance",
                                gitCommit: String? = nil, stampedeVersion: String = StampedeVersion.number) -> JUnitDocument {
        let cases = results.map { r -> JUnitDocument.Case in
            let classname = r.name.split(separator: ".").first.map(String.init) ?? "conformance"
            switch r.outcome {
            case .pass: return .init(classname: classname, name: r.name)
            case .fail(let e): return .init(classname: classname, name: r.name, outcome: .failure(type: nil, message: e, body: e))
            case .skip(let e): return .init(classname: classname, name: r.name, outcome: .skipped(message: e))
            case .warn(let e): return .init(classname: classname, name: r.name, output: "WARN (\(r.level.rawValue)): " + e)
            }
        }
        var properties: [(name: String, value: String)] = [("stampede_version", stampedeVersion)]
        if let gitCommit { properties.append(("git_commit", gitCommit)) }
        return JUnitDocument(name: suite, suites: [JUnitDocument.Suite(name: suite, properties: properties, cases: cases)])
    }
}
