import ArgumentParser
import StampedeReports

/// The thin command line: each subcommand lives in its own file under Commands/.
@main
struct Stampede: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stampede",
        abstract: "A Socket.IO workflow-updates server and the load/conformance toolkit that checks it.",
        discussion: """
        Exit codes: 0 success; 1 a budget failed / a regression / a MUST failed; 2 a check failed; \
        3 could not start; 4 a run interrupted by SIGINT/SIGTERM (reports written); 64 a usage error. \
        Shell completions: stampede --generate-completion-script bash|zsh|fish.
        """,
        version: StampedeVersion.long,
        subcommands: [
            ReportCommand.self,
            CompareCommand.self,
            ServeCommand.self,
            RunCommand.self,
            ConformanceCommand.self,
            InitCommand.self,
        ]
    )

    /// `--dashboard` takes an optional port (see RunDashboard.normalize).
    static func main() async {
        await main(RunDashboard.normalize(Array(CommandLine.arguments.dropFirst())))
    }
}
