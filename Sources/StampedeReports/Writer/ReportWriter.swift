import Foundation

/// Writes the three files every run leaves behind.
public enum ReportWriter {
    public static let jsonFileName = "report.json"
    public static let htmlFileName = "report.html"
    public static let junitFileName = "junit.xml"

    /// Creates `directory` if needed and writes report.json, report.html and junit.xml into it.
    public static func write(_ report: RunReport, to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try report.jsonData().write(to: directory.appendingPathComponent(jsonFileName), options: .atomic)
        try writeHTML(report, to: directory.appendingPathComponent(htmlFileName))
        try writeJUnit(report, to: directory.appendingPathComponent(junitFileName))
    }

    public static func writeJUnit(_ report: RunReport, to file: URL) throws {
        try Data(JUnitWriter.render(report).utf8).write(to: file, options: .atomic)
    }

    public static func writeHTML(_ report: RunReport, to file: URL) throws {
        try Data(HTMLReportRenderer.render(report).utf8).write(to: file, options: .atomic)
    }

    /// `reports/<scenario>-<UTC timestamp>/`, e.g. `reports/fanout-2k-20261124T190354Z`.
    /// The scenario name is reduced to filename-safe characters.
    public static func defaultDirectory(scenarioName: String, date: Date, root: URL? = nil) -> URL {
        let base = root ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("reports")
        return base.appendingPathComponent("\(safeName(scenarioName))-\(compactTimestamp(date))", isDirectory: true)
    }

    static func safeName(_ name: String) -> String {
        let mapped = name.unicodeScalars.map { c -> Character in
            (c.properties.isAlphabetic && c.isASCII) || ("0"..."9").contains(c) || c == "-" || c == "_" || c == "." ? Character(c) : "-"
        }
        let s = String(mapped).trimmingCharacters(in: CharacterSet(charactersIn: "-."))
        return s.isEmpty ? "run" : s
    }

    static func compactTimestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }
}
