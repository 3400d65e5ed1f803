import ArgumentParser
import Foundation
import StampedeReports
import StampedeScenario

/// `stampede report …`: re-render and merge report.json files after the fact.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Re-render or merge run reports (report.json).",
        subcommands: [HTML.self, JUnit.self, Merge.self]
    )

    struct HTML: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "html", abstract: "Render report.html from a report.json.")

        @Argument(help: "The report.json to render.") var report: String
        @Option(name: .shortAndLong, help: "Output file (default: report.html beside the input).") var output: String?

        func run() throws {
            try ReportFiles.render(report, to: output, defaultName: ReportWriter.htmlFileName, ReportWriter.writeHTML)
        }
    }

    struct JUnit: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "junit", abstract: "Write junit.xml from a report.json.")

        @Argument(help: "The report.json to convert.") var report: String
        @Option(name: .shortAndLong, help: "Output file (default: junit.xml beside the input).") var output: String?

        func run() throws {
            try ReportFiles.render(report, to: output, defaultName: ReportWriter.junitFileName, ReportWriter.writeJUnit)
        }
    }

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge the shard reports of one run and judge it: exit 0 passed, 1 budget failed, 2 check failed, 3 refused or could not run.",
            discussion: """
            Each input is a report directory (holding report.json) or a report.json. With --expect-shards N the set \
            must be every shard of one sharded run exactly once. Histograms merge exactly; every budget is evaluated \
            on the merged data and every check over all shards (stats_match on the merged per-second series).
            """)

        @Argument(help: "Shard report directories or report.json files.") var reports: [String]
        @Option(name: .customLong("expect-shards"), help: "Refuse the set unless it holds each of N shards exactly once.") var expectShards: Int?
        @Option(help: "Merged report directory (report.json, report.html, junit.xml).") var out: String?
        @Option(name: .shortAndLong, help: "Only the merged report.json, to this file.") var output: String?
        @Flag(help: "With --output: also write report.html and junit.xml beside the merged JSON.") var all = false

        func validate() throws {
            guard !reports.isEmpty else { throw ValidationError("give the shard reports to merge") }
            guard reports.count >= 2 || expectShards == 1 else { throw ValidationError("give at least two reports to merge (or --expect-shards 1)") }
            guard (out == nil) != (output == nil) else { throw ValidationError("give --out DIR (or --output FILE)") }
        }

        func run() throws {
            let urls = reports.map(ReportFiles.reportURL)
            let inputs = try urls.map(ReportFiles.load)
            let outcome: RunOutcome
            do { outcome = try ShardMerge.merge(inputs, expectShards: expectShards, labels: reports) } catch {
                FileHandle.standardError.write(Data("refusing to merge: \(error)\n".utf8))
                throw ExitCode(3)
            }
            let merged = outcome.report
            if let out {
                let dir = URL(fileURLWithPath: out)
                try ReportWriter.write(merged, to: dir)
                print("\(dir.path)/report.json: \(inputs.count) shards")
            } else if let output {
                let file = URL(fileURLWithPath: output)
                try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try merged.jsonData().write(to: file, options: .atomic)
                if all {
                    let dir = file.deletingLastPathComponent()
                    try ReportWriter.writeHTML(merged, to: dir.appendingPathComponent(ReportWriter.htmlFileName))
                    try ReportWriter.writeJUnit(merged, to: dir.appendingPathComponent(ReportWriter.junitFileName))
                }
                print("\(file.path): \(inputs.count) shards")
            }
            print(ProgressPrinterText.summary(merged, exitCode: outcome.exitCode), terminator: "")
            if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
        }
    }
}

/// Report loading with an error message that names the file.
enum ReportFiles {
    /// A report directory means its report.json.
    static func reportURL(_ path: String) -> URL {
        var isDir: ObjCBool = false
        let url = URL(fileURLWithPath: path)
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            return url.appendingPathComponent("report.json")
        }
        return url
    }

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
