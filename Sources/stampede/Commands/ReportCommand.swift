import ArgumentParser
import Foundation
import StampedeReports

/// `stampede report …`: re-render and merge report.json files after the fact.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Re-render or merge run reports (report.json).",
        subcommands: [HTML.self, JUnit.self, Merge.self]
    )

    struct HTML: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Render report.html from a report.json.")

        @Argument(help: "The report.json to render.") var report: String
        @Option(name: .shortAndLong, help: "Output file (default: report.html beside the input).") var output: String?

        func run() throws {
            try ReportFiles.render(report, to: output, defaultName: ReportWriter.htmlFileName, ReportWriter.writeHTML)
        }
    }

    struct JUnit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write junit.xml from a report.json.")

        @Argument(help: "The report.json to convert.") var report: String
        @Option(name: .shortAndLong, help: "Output file (default: junit.xml beside the input).") var output: String?

        func run() throws {
            try ReportFiles.render(report, to: output, defaultName: ReportWriter.junitFileName, ReportWriter.writeJUnit)
        }
    }

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge shard reports of one run into one (histograms merged, counters summed, series aligned).")

        @Argument(help: "Two or more report.json files.") var reports: [String]
        @Option(name: .shortAndLong, help: "The merged report.json to write.") var output: String
        @Flag(help: "Also write report.html and junit.xml beside the merged JSON.") var all = false

        func validate() throws {
            guard reports.count >= 2 else { throw ValidationError("give at least two reports to merge") }
        }

        func run() throws {
            let inputs = try reports.map { try ReportFiles.load(URL(fileURLWithPath: $0)) }
            let merged = try ReportMerger.merge(inputs)
            let out = URL(fileURLWithPath: output)
            try FileManager.default.createDirectory(at: out.deletingLastPathComponent(), withIntermediateDirectories: true)
            try merged.jsonData().write(to: out, options: .atomic)
            if all {
                let dir = out.deletingLastPathComponent()
                try ReportWriter.writeHTML(merged, to: dir.appendingPathComponent(ReportWriter.htmlFileName))
                try ReportWriter.writeJUnit(merged, to: dir.appendingPathComponent(ReportWriter.junitFileName))
            }
            print("\(out.path): \(inputs.count) shards, verdict \(merged.verdict.rawValue)")
        }
    }
}

/// Report loading with an error message that names the file.
enum ReportFiles {
    static func load(_ url: URL) throws -> RunReport {
        do {
            return try RunReport.load(from: url)
        } catch {
            throw ValidationError("cannot read report \(url.path): \(error)")
        }
    }

    /// Loads `input`, writes one rendering to `output` (default: `defaultName` beside the input), prints its path.
    static func render(_ input: String, to output: String?, defaultName: String,
                       _ write: (RunReport, URL) throws -> Void) throws {
        let inputURL = URL(fileURLWithPath: input)
        let out = output.map { URL(fileURLWithPath: $0) }
            ?? inputURL.deletingLastPathComponent().appendingPathComponent(defaultName)
        try write(load(inputURL), out)
        print(out.path)
    }
}
