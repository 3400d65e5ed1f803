import StampedeJSON
import StampedeReports
import StampedeScenario

/// The JSON the dashboard page draws: one object per second, and the final
/// verdict (the same verdict, checks and budgets as report.html). Field
/// names are the page's contract (Public/dashboard/dashboard.js).
public enum DashboardSample {
    public static func second(_ p: LiveProgress) -> LiveSampleJSON {
        var latency = JSONObject()
        for (name, l) in p.sample.latency.sorted(by: { $0.key < $1.key }) {
            latency[name] = ["count": .int(Int64(l.count)), "p50": .double(l.p50), "p90": .double(l.p90),
                             "p99": .double(l.p99), "max": .double(l.max)]
        }
        let o: JSONObject = [
            "t": .int(Int64(p.t)), "phase": .string(p.phase), "left": .double(p.secondsLeft.rounded()),
            "clients": .int(Int64(p.sample.connections)),
            "server_clients": p.sample.serverConnections.map { .int(Int64($0)) } ?? .null,
            "deliveries_per_s": .double(p.sample.eventsPerSecond),
            "errors": .int(Int64(p.sample.errors)), "errors_total": .int(Int64(p.totalErrors)),
            "violations_total": .int(Int64(p.checkViolations)),
            "latency": .object(latency),
            "budgets": .array(p.budgets.map(budget)),
            "health": ["loop_lag_p99_ms": .double(p.health.loopLagP99Ms), "cpu_percent": .double(p.health.cpuPercent),
                       "cpu_now_percent": .double(p.cpuNowPercent), "saturated": .bool(p.health.saturated)],
        ]
        return LiveSampleJSON(text: JSONValue.object(o).serialized)
    }

    /// `reportPath`: where report.html was written (served at /report.html while the dashboard is up).
    public static func final(_ r: RunReport, reportPath: String?) -> LiveSampleJSON {
        let o: JSONObject = [
            "verdict": .string(r.verdict.rawValue), "exit_code": .int(Int64(r.exitCode)),
            "duration_s": .double(r.durationSeconds), "abort_reason": r.abortReason.map(JSONValue.string) ?? .null,
            "checks": .array(r.checks.map { c in
                ["name": .string(c.name), "passed": .bool(c.passed), "evidence": .array(c.evidence.prefix(3).map(JSONValue.string))]
            }),
            "budgets": .array(r.budgets.map(budget)),
            "report_path": reportPath.map(JSONValue.string) ?? .null,
        ]
        return LiveSampleJSON(text: JSONValue.object(o).serialized)
    }

    static func budget(_ b: BudgetResult) -> JSONValue {
        ["expression": .string(b.expression), "limit": .double(b.limit), "actual": b.actual.map(JSONValue.double) ?? .null,
         "unit": .string(b.unit), "comparison": .string(b.comparison), "passed": .bool(b.passed)]
    }
}
