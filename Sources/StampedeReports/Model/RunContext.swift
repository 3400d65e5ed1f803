import Foundation

/// Where and with what the run happened, so a report read months later can be trusted or discounted.
public struct EnvironmentInfo: Codable, Sendable, Equatable {
    public var host: String
    public var cores: Int
    public var os: String
    public var swiftVersion: String
    public var stampedeVersion: String
    public var gitCommit: String?
    /// How many generator processes contributed (1, or N after `--workers N` / `report merge`).
    public var workers: Int
    /// What the simulated clients' sockets ran on, per group: `reactor: a, b; nio: c` (absent in
    /// reports from before `--client-io`).
    public var clientIO: String?

    public init(host: String, cores: Int, os: String, swiftVersion: String, stampedeVersion: String,
                gitCommit: String? = nil, workers: Int = 1) {
        self.host = host
        self.cores = cores
        self.os = os
        self.swiftVersion = swiftVersion
        self.stampedeVersion = stampedeVersion
        self.gitCommit = gitCommit
        self.workers = workers
    }

    /// This process's environment. Without an explicit commit, `GitCommit.detect()` looks at
    /// CI variables and the working directory's checkout.
    public static func current(stampedeVersion: String, gitCommit: String? = nil) -> EnvironmentInfo {
        let info = ProcessInfo.processInfo
        return EnvironmentInfo(host: info.hostName, cores: info.activeProcessorCount,
                               os: info.operatingSystemVersionString, swiftVersion: compiledSwiftVersion,
                               stampedeVersion: stampedeVersion, gitCommit: gitCommit ?? GitCommit.detect())
    }

    static var compiledSwiftVersion: String {
        #if swift(>=6.3)
        return "6.3"
        #elseif swift(>=6.2)
        return "6.2"
        #elseif swift(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }

    enum CodingKeys: String, CodingKey {
        case host, cores, os, workers
        case clientIO = "client_io"
        case swiftVersion = "swift_version"
        case stampedeVersion = "stampede_version"
        case gitCommit = "git_commit"
    }
}

/// The server under test.
public struct TargetInfo: Codable, Sendable, Equatable {
    /// The base URL actually used, e.g. "http://127.0.0.1:41234".
    public var url: String
    /// True when the run started its own in-process server (`target: embedded`).
    public var embedded: Bool

    public init(url: String, embedded: Bool) {
        self.url = url
        self.embedded = embedded
    }
}

public struct PhaseTiming: Codable, Sendable, Equatable {
    public var name: String
    public var start: Date
    public var end: Date

    public init(name: String, start: Date, end: Date) {
        self.name = name
        self.start = start
        self.end = end
    }
}

/// Whether the generator itself kept up: a saturated generator measures itself, not the server.
public struct GeneratorHealth: Codable, Sendable, Equatable {
    /// p99 of the delay between a scheduled event-loop task's deadline and its run.
    public var loopLagP99Ms: Double
    /// Process CPU over the run, 100 = one full core.
    public var cpuPercent: Double
    public var saturated: Bool

    public init(loopLagP99Ms: Double = 0, cpuPercent: Double = 0, saturated: Bool = false) {
        self.loopLagP99Ms = loopLagP99Ms
        self.cpuPercent = cpuPercent
        self.saturated = saturated
    }

    enum CodingKeys: String, CodingKey {
        case saturated
        case loopLagP99Ms = "loop_lag_p99_ms"
        case cpuPercent = "cpu_percent"
    }
}
