import Foundation

/// junit.xml: one `<testsuite>` for checks and one for budgets, each check and
/// budget a `<testcase>`, so CI systems list them natively and show a failure's
/// evidence as its message.
public enum JUnitWriter {
    public static func render(_ report: RunReport) -> String {
        let checkFailures = report.checks.filter { !$0.passed }.count
        let budgetFailures = report.budgets.filter { !$0.passed }.count
        let tests = report.checks.count + report.budgets.count
        let time = seconds(report.durationSeconds)
        let suiteName = XMLEscaping.escape("stampede.\(report.scenarioName)")
        let stamp = ReportCoding.formatTimestamp(report.start)

        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        x += "<testsuites name=\"\(suiteName)\" tests=\"\(tests)\" failures=\"\(checkFailures + budgetFailures)\" errors=\"\(report.verdict == .error ? 1 : 0)\" time=\"\(time)\">\n"

        x += suiteOpen(name: "\(suiteName).checks", tests: report.checks.count, failures: checkFailures, time: time, timestamp: stamp)
        x += properties(report)
        for check in report.checks {
            x += "    <testcase classname=\"\(suiteName).checks\" name=\"\(XMLEscaping.escape(check.name))\" time=\"0\">\n"
            if !check.passed {
                let message = check.evidence.first ?? "check \(check.name) failed"
                x += "      <failure type=\"check\" message=\"\(XMLEscaping.escape(message))\">"
                x += XMLEscaping.escape(check.evidence.joined(separator: "\n"))
                x += "</failure>\n"
            } else if !check.evidence.isEmpty {
                x += "      <system-out>\(XMLEscaping.escape(check.evidence.joined(separator: "\n")))</system-out>\n"
            }
            x += "    </testcase>\n"
        }
        x += "  </testsuite>\n"

        x += suiteOpen(name: "\(suiteName).budgets", tests: report.budgets.count, failures: budgetFailures, time: time, timestamp: stamp)
        for budget in report.budgets {
            x += "    <testcase classname=\"\(suiteName).budgets\" name=\"\(XMLEscaping.escape(budget.expression))\" time=\"0\">\n"
            let line = BudgetText.describe(budget)
            if !budget.passed {
                x += "      <failure type=\"budget\" message=\"\(XMLEscaping.escape(line))\">\(XMLEscaping.escape(line))</failure>\n"
            } else {
                x += "      <system-out>\(XMLEscaping.escape(line))</system-out>\n"
            }
            x += "    </testcase>\n"
        }
        x += "  </testsuite>\n"

        if report.verdict == .error || report.verdict == .aborted || report.verdict == .interrupted {
            // A run that never finished must fail CI even when no check got to fail.
            x += suiteOpen(name: "\(suiteName).run", tests: 1, failures: 0, time: time, timestamp: stamp, errors: 1)
            x += "    <testcase classname=\"\(suiteName).run\" name=\"run\" time=\"\(time)\">\n"
            let reason = report.abortReason ?? "run \(report.verdict.rawValue)"
            x += "      <error type=\"\(report.verdict.rawValue)\" message=\"\(XMLEscaping.escape(reason))\"/>\n"
            x += "    </testcase>\n  </testsuite>\n"
        }
        x += "</testsuites>\n"
        return x
    }

    private static func suiteOpen(name: String, tests: Int, failures: Int, time: String, timestamp: String, errors: Int = 0) -> String {
        "  <testsuite name=\"\(name)\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"0\" time=\"\(time)\" timestamp=\"\(timestamp)\">\n"
    }

    private static func properties(_ report: RunReport) -> String {
        var p = "    <properties>\n"
        let items: [(String, String)] = [
            ("target", report.target.url), ("verdict", report.verdict.rawValue),
            ("stampede_version", report.environment.stampedeVersion),
            ("git_commit", report.environment.gitCommit ?? ""),
        ]
        for (k, v) in items {
            p += "      <property name=\"\(k)\" value=\"\(XMLEscaping.escape(v))\"/>\n"
        }
        return p + "    </properties>\n"
    }

    static func seconds(_ s: Double) -> String { String(format: "%.3f", s) }
}
