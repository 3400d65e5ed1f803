import Foundation

/// junit.xml: one `<testsuite>` for checks and one for budgets, each check and budget a
/// `<testcase>`, so CI systems list them natively and show a failure's evidence as its message.
/// Times come from the run's measurements: every check and budget judged the whole measured
/// run (they observe concurrently), so each case and suite carries the run's duration; the
/// commit is a `git_commit` property (see `GitCommit.detect` for where it comes from).
public enum JUnitWriter {
    public static func render(_ report: RunReport) -> String {
        document(report).render()
    }

    public static func document(_ report: RunReport) -> JUnitDocument {
        let time = report.durationSeconds
        let suiteName = "stampede.\(report.scenarioName)"
        let stamp = ReportCoding.formatTimestamp(report.start)

        let checks = report.checks.map { check -> JUnitDocument.Case in
            let observed = CheckObservationLine.sentence(check)
            if check.passed {
                let lines = [observed].compactMap { $0 } + check.evidence
                return .init(classname: "\(suiteName).checks", name: check.name, time: time,
                             output: lines.isEmpty ? nil : lines.joined(separator: "\n"))
            }
            let message = check.evidence.first ?? "check \(check.name) failed"
            return .init(classname: "\(suiteName).checks", name: check.name, time: time,
                         outcome: .failure(type: "check", message: message,
                                           body: (check.evidence + [observed].compactMap { $0 }).joined(separator: "\n")))
        }
        let budgets = report.budgets.map { budget -> JUnitDocument.Case in
            let line = BudgetText.describe(budget)
            return .init(classname: "\(suiteName).budgets", name: budget.expression, time: time,
                         outcome: budget.passed ? .passed : .failure(type: "budget", message: line, body: line),
                         output: budget.passed ? line : nil)
        }
        var suites = [
            JUnitDocument.Suite(name: "\(suiteName).checks", time: time, timestamp: stamp, properties: properties(report), cases: checks),
            JUnitDocument.Suite(name: "\(suiteName).budgets", time: time, timestamp: stamp, cases: budgets),
        ]
        if report.verdict == .error || report.verdict == .aborted || report.verdict == .interrupted {
            // A run that never finished must fail CI even when no check got to fail.
            let reason = report.abortReason ?? "run \(report.verdict.rawValue)"
            suites.append(JUnitDocument.Suite(name: "\(suiteName).run", time: time, timestamp: stamp, cases: [
                .init(classname: "\(suiteName).run", name: "run", time: time,
                      outcome: .error(type: report.verdict.rawValue, message: reason)),
            ]))
        }
        return JUnitDocument(name: suiteName, suites: suites)
    }

    /// What CI shows beside the results. `git_commit` is left out when it is unknown rather
    /// than written empty, so a reader never mistakes "" for a commit.
    static func properties(_ report: RunReport) -> [(name: String, value: String)] {
        var items: [(name: String, value: String)] = [
            ("target", report.target.url), ("verdict", report.verdict.rawValue),
            ("stampede_version", report.environment.stampedeVersion),
        ]
        if let commit = report.environment.gitCommit { items.append(("git_commit", commit)) }
        items.append(("duration_seconds", JUnitDocument.seconds(report.durationSeconds)))
        return items
    }
}
