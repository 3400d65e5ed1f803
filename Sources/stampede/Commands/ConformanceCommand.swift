import ArgumentParser
import Foundation
import NIOPosix
import StampedeAuth
import StampedeClient
import StampedeConformance
import StampedeScenario
import StampedeServer
import StampedeTarget

/// `stampede conformance`: the whole contract against a server — the wire
/// checks with raw packets, then the contract scenarios. One line per check;
/// exit 0 only when no MUST check fails.
struct ConformanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Check a server against PROTOCOL.md and SOCKETIO.md (the embedded server when no --target).")

    @OptionGroup(title: "Target") var targetOptions: TargetOptions
    @Option(help: "Write a JUnit XML file with one test case per check.") var junit: String?
    @Option(help: "The audience the target checks, if any (enables the audience_mismatch probe).") var audience: String?
    @Option(name: .customLong("max-connections-per-user"), help: "The target's per-user socket cap.") var maxConnectionsPerUser = 20
    @Option(name: .customLong("connect-timeout-ms"), help: "The target's Socket.IO connect timeout, to probe it when ≤ 10 s.")
    var connectTimeoutMs: Int?
    @Option(help: "Folder of contract scenarios.") var scenarios = "scenarios/conformance"
    @Option(help: "Run only checks whose name contains this.") var filter: String?
    @Flag(name: .customLong("wire-only"), help: "Skip the contract scenarios.") var wireOnly = false

    func run() async throws {
        let secret = targetOptions.secret
        var server: EmbeddedServer?
        var cap = maxConnectionsPerUser
        var connectTimeout = connectTimeoutMs
        let baseURL: String
        if let target = targetOptions.urls.first {
            baseURL = target
        } else {
            let c = ServerConfiguration.fastTimers(secret: secret, audience: audience)
            cap = c.maxConnectionsPerUser
            connectTimeout = c.connectTimeoutMs
            do { server = try await RunTarget.start(c).embedded } catch {
                FileHandle.standardError.write(Data("could not start the embedded server: \(error)\n".utf8))
                throw ExitCode(3)
            }
            baseURL = server!.baseURL
        }
        print("conformance against \(baseURL)\(server != nil ? " (embedded)" : "")")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let endpoint: ServerEndpoint
        do { endpoint = try ServerEndpoint(url: baseURL, trust: .insecure) } catch {
            FileHandle.standardError.write(Data("bad --target \(baseURL): \(error)\n".utf8))
            throw ExitCode(3)
        }
        let probeHTTP = HTTPClient(endpoint: endpoint, eventLoopGroup: group, timeout: .seconds(10))
        let problem = await TargetProbe.probe(probeHTTP).problem
        probeHTTP.shutdown()
        if let problem {
            FileHandle.standardError.write(Data("could not run: target \(baseURL) is \(problem)\n".utf8))
            try? await server?.shutdown()
            try? await group.shutdownGracefully()
            throw ExitCode(3)
        }
        let context = ProbeContext(endpoint: endpoint, group: group, minter: TokenMinter(secret: secret), audience: audience,
                                   maxConnectionsPerUser: cap, connectTimeoutMs: connectTimeout)
        var results = await ConformanceSuite.runWireChecks(context, filter: filter) { r in
            print(r.line)
            fflush(nil)
        }
        if !wireOnly {
            for file in ContractScenarioSuite.files(in: scenarios) {
                for r in await ContractScenarioSuite.run(file: file, baseURL: baseURL, jwtSecret: secret)
                where filter == nil || r.name.contains(filter!) {
                    print(r.line)
                    fflush(nil)
                    results.append(r)
                }
            }
        }
        try? await server?.shutdown()
        try? await group.shutdownGracefully()
        let failed = results.filter(\.failed).count
        let warned = results.filter { if case .warn = $0.outcome { return true } else { return false } }.count
        let skipped = results.filter { if case .skip = $0.outcome { return true } else { return false } }.count
        if let junit {
            try? FileManager.default.createDirectory(at: URL(fileURLWithPath: junit).deletingLastPathComponent(),
                                                     withIntermediateDirectories: true)
            try ConformanceJUnit.render(results).write(toFile: junit, atomically: true, encoding: .utf8)
        }
        if warned > 0 { print("\(warned) SHOULD checks warned") }
        print("\(results.count - failed - skipped - warned) passed, \(failed) failed, \(skipped) skipped")
        if failed > 0 { throw ExitCode(1) }
    }
}
