import Foundation

/// report.html: one self-contained page (inline CSS, inline SVG, one tiny inline
/// script, a CSP forbidding anything external) laid out for the question a reader
/// brings — did it pass, and if not, why — before the charts.
public enum HTMLReportRenderer {
    public static func render(_ report: RunReport) -> String {
        var h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        h += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        h += "<title>\(e(report.scenarioName)) — stampede \(e(report.verdict.rawValue))</title>"
        h += "<style>\(ReportStyles.css)</style></head>\n<body>\n"
        h += verdictHeader(report)
        h += ReportTables.facts(report)
        if report.verdict == .error && report.metrics.isEmpty && report.timeSeries.isEmpty {
            // Nothing ran: say so instead of "No budgets" and empty charts.
            h += "<h2>Nothing was measured</h2>\n<p id=\"not-started\">The run could not start: \(e(report.abortReason ?? "unknown reason")). "
            h += "No client was started, so there are no checks, budgets or charts to show.</p>\n"
            h += "<footer>stampede \(e(report.environment.stampedeVersion)) · report schema \(report.schemaVersion) · generated from report.json</footer>\n"
            h += "<script>\(renderProbe)</script>\n</body></html>\n"
            return h
        }
        h += section("Budgets", ReportTables.budgets(report))
        h += section("Checks", ReportTables.checks(report))
        h += section("Latency", ReportTables.metrics(report))
        h += "<h2>Charts</h2>\n"
        for chart in ReportCharts.all(report) {
            h += "<div class=\"chart-box\"><h3>\(e(chart.title))</h3>\(chart.render())</div>\n"
        }
        h += section("Errors by code", ReportTables.errors(report))
        h += section("Generator health", ReportTables.generatorHealth(report))
        h += "<footer>stampede \(e(report.environment.stampedeVersion)) · report schema \(report.schemaVersion) · generated from report.json</footer>\n"
        h += "<script>\(renderProbe)</script>\n</body></html>\n"
        return h
    }

    /// Marks the body with the charts it found, so a headless browser's DOM dump
    /// proves the page parsed and its script ran without error.
    static let renderProbe = """
    (function(){var c=document.querySelectorAll('svg.chart'),ids=[];for(var i=0;i<c.length;i++){ids.push(c[i].getAttribute('data-chart'));}document.body.setAttribute('data-charts',ids.join(' '));document.body.setAttribute('data-rendered',String(c.length));})();
    """

    static func verdictHeader(_ r: RunReport) -> String {
        let failedChecks = r.checks.filter { !$0.passed }.count
        let failedBudgets = r.budgets.filter { !$0.passed }.count
        var sub = "\(r.checks.count - failedChecks)/\(r.checks.count) checks passed · \(r.budgets.count - failedBudgets)/\(r.budgets.count) budgets met · exit code \(r.exitCode)"
        // A run that could not start judged nothing: "0/0 checks" and the reason twice is noise.
        if r.verdict == .error && r.checks.isEmpty && r.budgets.isEmpty { sub = "exit code \(r.exitCode)" }
        else if let reason = r.abortReason { sub += " · \(reason)" }
        // What failed, by name, so the banner alone answers "why" (issue 15, item 6).
        var why: [String] = []
        if r.verdict == .error { why.append("could not start: \(r.abortReason ?? "see the log")") }
        if let c = r.checks.first(where: { !$0.passed }) {
            why.append("check \(c.name) failed" + (c.evidence.first.map { ": \($0)" } ?? ""))
        }
        if let b = r.budgets.first(where: { !$0.passed }) { why.append("budget " + BudgetText.describe(b)) }
        let whyHTML = why.isEmpty ? "" : "<div class=\"why\" id=\"first-failure\">\(why.map(e).joined(separator: "<br>"))</div>"
        return """
        <header class="verdict \(r.verdict.rawValue)" id="verdict"><div class="badge">\(e(r.verdict.rawValue))</div>\
        <div><h1>\(e(r.scenarioName))</h1><div class="sub">\(e(sub))</div>\(whyHTML)</div></header>

        """
    }

    static func section(_ title: String, _ body: String) -> String {
        "<h2>\(e(title))</h2>\n\(body)\n"
    }

    static func e(_ s: String) -> String { XMLEscaping.escape(s) }
}
