import Foundation
import StampedeReports

/// How to run a loaded scenario: where, with which secret, which shard, how to show progress.
public struct RunOptions: Sendable {
    public var baseURL: String
    /// More nodes of the same cluster (`--target A,B,C`): clients and publishers are spread over
    /// `baseURL` and these; setup, stats and cleanup use `baseURL`.
    public var additionalBaseURLs: [String] = []
    public var jwtSecret: String
    public var embedded: Bool
    /// `--shard i/N` (equal segments); `segment` overrides it (`--segment a:b`).
    public var shard: Int = 0
    public var shardCount: Int = 1
    public var segment: ExecutionSegment?
    public var eventLoopThreads: Int = System.coreCount
    /// What the simulated clients' sockets run on (`ClientIO`).
    public var clientIO: ClientIO = .auto
    public var progress: ProgressMode = .auto
    /// Source addresses to spread clients over (e.g. 127.0.0.1…127.0.0.4), empty = kernel default.
    public var localAddresses: [String] = []
    /// Skip workflow creation (a worker shard gets the ids from its parent, a machine's shard
    /// from the prepare step's workflows.json).
    public var workflowIDs: [String]? = nil
    /// Called once a second with the live figures (the dashboard); nil = not built at all.
    /// Runs on the runner's task: it must only hand the value over.
    public var onSecond: (@Sendable (LiveProgress) -> Void)? = nil
    /// The prepared workflows file, for the report.
    public var workflowsFile: String?
    /// The server's stats before any client of the run (the prepare step's baseline.json);
    /// nil = read them at this process's start.
    public var statsBaseline: StatsCounts?
    /// `--start-at`: the plan clock's zero on every shard.
    public var startAt: Date?
    /// A shard ready later than `startAt` plus this refuses to run (exit 3).
    public var startToleranceSeconds: Double = 1
    /// `--defer-verdict`: report, do not judge (exit 0 unless the run could not start).
    public var deferVerdict = false

    /// The part of the plan this process runs.
    public var executionSegment: ExecutionSegment {
        segment ?? (try? ExecutionSegment.shard(shard, of: max(1, shardCount))) ?? .whole
    }
    /// Set by the CLI's first SIGINT/SIGTERM: stop the load, drain, report `interrupted`.
    public var interruption: RunInterruption? = nil

    public init(baseURL: String, jwtSecret: String, embedded: Bool) {
        self.baseURL = baseURL
        self.jwtSecret = jwtSecret
        self.embedded = embedded
    }
}

public enum ProgressMode: String, Sendable, CaseIterable { case auto, tty, lines, json, quiet }

/// The run's result: the report document and the process exit code.
public struct RunOutcome: Sendable {
    public var report: RunReport
    /// 0 passed, 1 a budget failed, 2 a check failed, 3 the run could not start, 4 interrupted.
    public var exitCode: Int32
}

import NIOCore
