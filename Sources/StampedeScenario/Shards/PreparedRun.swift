import Foundation
import NIOPosix
import StampedeClient
import StampedeReports

/// `stampede run SCENARIO --prepare-only --out DIR`: the scenario's workflows created once on the
/// shared server, and the server's stats before any client, for every shard to start from.
/// Shards read it with `--workflow-ids @DIR/workflows.json` (baseline.json beside it).
public struct PreparedRun: Codable, Sendable, Equatable {
    public static let workflowsFileName = "workflows.json"
    public static let baselineFileName = "baseline.json"

    public struct Failure: Error, CustomStringConvertible { public var description: String }

    public var scenarioName: String
    public var target: String
    public var createdAt: Date
    public var workflowIDs: [String]
    /// Not in workflows.json: baseline.json holds it.
    public var baseline: StatsCounts?

    enum CodingKeys: String, CodingKey {
        case scenarioName = "scenario_name"
        case target
        case createdAt = "created_at"
        case workflowIDs = "workflow_ids"
    }

    public func write(to dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // report.json's dialect: sorted, pretty, ISO-8601 times (files with whole-second times,
        // as earlier releases wrote them, still read).
        try ReportCoding.encode(self).write(to: dir.appendingPathComponent(Self.workflowsFileName), options: .atomic)
        if let baseline {
            try ReportCoding.encode(baseline).write(to: dir.appendingPathComponent(Self.baselineFileName), options: .atomic)
        }
    }

    /// `path`: a workflows.json, or the directory holding it.
    public static func load(_ path: String) throws -> PreparedRun {
        var url = URL(fileURLWithPath: path)
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue {
            url.appendPathComponent(workflowsFileName)
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw Failure(description: "cannot read \(url.path) (write it with `stampede run SCENARIO --prepare-only --out DIR`)")
        }
        var run: PreparedRun
        do { run = try ReportCoding.decode(PreparedRun.self, from: data) } catch {
            throw Failure(description: "\(url.path) is not a prepared workflows file: \(error)")
        }
        let baselineURL = url.deletingLastPathComponent().appendingPathComponent(baselineFileName)
        if let b = FileManager.default.contents(atPath: baselineURL.path) {
            do { run.baseline = try ReportCoding.decode(StatsCounts.self, from: b) } catch {
                throw Failure(description: "\(baselineURL.path) is not a stats baseline: \(error)")
            }
        }
        return run
    }
}

extension ScenarioRunner {
    /// Creates the workflows and reads the stats baseline (after the workflows exist, as a single
    /// run reads it), so shards on several machines start from one shared state.
    public static func prepare(_ scenario: Scenario, baseURL: String, jwtSecret: String) async throws -> PreparedRun {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { Task { try? await group.shutdownGracefully() } }
        let http = HTTPClient(endpoint: try ServerEndpoint(url: baseURL), eventLoopGroup: group)
        defer { http.shutdown() }
        let tokens = try TokenBook(auth: scenario.auth, secret: scenario.auth.secret ?? jwtSecret)
        guard let health = try? await http.request("GET", "/health"), health.status == 200 else {
            throw PreparedRun.Failure(description: "target \(baseURL) is unreachable (GET /health failed)")
        }
        let ids = try await WorkflowSetup.create(scenario, http: http, tokens: tokens)
        let baseline = await StatsSampler(http: http, adminToken: tokens.admin).fetch()
        return PreparedRun(scenarioName: scenario.name, target: baseURL, createdAt: Date(), workflowIDs: ids, baseline: baseline?.counts)
    }
}
