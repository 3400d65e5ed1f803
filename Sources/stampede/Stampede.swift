import ArgumentParser

/// The thin command line: each subcommand lives in its own file under Commands/.
@main
struct Stampede: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stampede",
        abstract: "A Socket.IO workflow-updates server and the load/conformance toolkit that checks it.",
        subcommands: [
            ReportCommand.self,
            CompareCommand.self,
            ServeCommand.self,
            RunCommand.self,
            ConformanceCommand.self,
        ]
    )

    /// `--dashboard` takes an optional port (see RunDashboard.normalize).
    static func main() async {
        await main(RunDashboard.normalize(Array(CommandLine.arguments.dropFirst())))
    }
}
