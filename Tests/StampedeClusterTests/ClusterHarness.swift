import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StampedeAuth
import StampedeClient
import StampedeCluster
import StampedeContract
import StampedeJSON
import StampedeServer
import StampedeTestSupport
import Testing

/// A real PostgreSQL for the cluster tests: `STAMPEDE_TEST_POSTGRES_URL`
/// (CI starts a throwaway cluster with scripts/pg-scratch.sh and sets it),
/// or a scratch cluster started here when the server binaries are
/// installed; otherwise the tests skip and say why. Each test gets a
/// database of its own.
enum TestPostgres {
    static let serverURL: String? = {
        if let url = ProcessInfo.processInfo.environment["STAMPEDE_TEST_POSTGRES_URL"], !url.isEmpty { return url }
        return nil
    }()

    static func freshDatabase() async throws -> String {
        guard let base = serverURL else {
            try Test.cancel("no PostgreSQL: set STAMPEDE_TEST_POSTGRES_URL (scripts/pg-scratch.sh start prints one; .ci/run does this)")
        }
        let name = "stampede_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try run(["psql", base, "-q", "-c", "CREATE DATABASE \(name)"])
        var c = URLComponents(string: base)!
        c.path = "/" + name
        return c.string!
    }

    /// One SQL statement through psql; its unaligned, tuples-only output.
    static func psql(_ url: String, _ sql: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["psql", url, "-qAt", "-c", sql]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw PsqlFailed(status: p.terminationStatus, sql: sql) }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func run(_ args: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { try Test.cancel("\(args.joined(separator: " ")) failed (\(p.terminationStatus))") }
    }
}

struct PsqlFailed: Error { let status: Int32; let sql: String }

/// N nodes on one fresh database, with tokens and plain HTTP calls.
final class ClusterHarness: @unchecked Sendable {
    static let secret = "cluster-test-secret"
    let nodes: [ClusterNode]
    let url: String
    let minter = TokenMinter(secret: ClusterHarness.secret)

    private init(nodes: [ClusterNode], url: String) {
        self.nodes = nodes
        self.url = url
    }

    static func start(nodes n: Int, databaseURL: String? = nil,
                      _ tweak: (inout ServerConfiguration) -> Void = { _ in }) async throws -> ClusterHarness {
        let url: String
        if let databaseURL { url = databaseURL } else { url = try await TestPostgres.freshDatabase() }
        let config = HubServerHarness.configuration(secret: secret, tweak)
        // Started together: their schema migrations race on one database.
        let nodes = try await withThrowingTaskGroup(of: (Int, ClusterNode).self) { group in
            for i in 0..<n { group.addTask { (i, try await ClusterNode.start(config, postgresURL: url)) } }
            var started: [(Int, ClusterNode)] = []
            for try await node in group { started.append(node) }
            return started.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return ClusterHarness(nodes: nodes, url: url)
    }

    private let opened = NSLock()
    private var sockets: [RecordedSocket] = []

    func stop() async {
        for s in opened.withLock({ sockets }) { s.connection.close(.clean) }
        for n in nodes { try? await n.shutdown() }
    }

    /// A recorded Socket.IO client on `node` (closed by `stop`); it must connect.
    func socket(_ node: Int, _ user: String, recovery: (pid: String, offset: String)? = nil,
                sourceLocation: SourceLocation = #_sourceLocation) async throws -> RecordedSocket {
        let s = try await RecordedSocket.open(base(node), token: token(user), recovery: recovery)
        #expect(s.connected != nil, "\(user) on node \(node)", sourceLocation: sourceLocation)
        keep(s)
        return s
    }

    /// Closes `s` when the harness stops.
    func keep(_ s: RecordedSocket) { opened.withLock { sockets.append(s) } }

    func base(_ i: Int) -> String { nodes[i].server.baseURL }
    func sql(_ statement: String) throws -> String { try TestPostgres.psql(url, statement) }

    /// The cluster's stats as one node answers them.
    func stats(on node: Int) async throws -> JSONValue {
        let (status, body) = try await call(node, "GET", "/api/v1/websocket/stats", token: token("ops", role: .admin))
        #expect(status == 200)
        return body
    }
    func token(_ user: String, role: Role? = nil) -> String { try! minter.mint(user: user, role: role) }

    func call(_ node: Int, _ method: String, _ path: String, token: String?, body: String? = nil) async throws -> (Int, JSONValue) {
        var r = URLRequest(url: URL(string: base(node) + path)!)
        r.httpMethod = method
        if let token { r.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            r.httpBody = Data(body.utf8)
            r.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: r)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, (try? JSONParser.parse(Array(data))) ?? .null)
    }

    func createWorkflow(on node: Int, owner: String) async throws -> String {
        let (status, card) = try await call(node, "POST", "/api/v1/workflows", token: token(owner), body: #"{"type":"external"}"#)
        #expect(status == 202)
        return card["workflow_id"]!.stringValue!
    }

    /// A GET's HTTP status.
    static func get(_ url: String) async throws -> Int {
        let (_, response) = try await URLSession.shared.data(for: URLRequest(url: URL(string: url)!))
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    /// A publish to any node's base URL; its HTTP status.
    static func post(_ base: String, _ id: String, _ body: String, token: String) async throws -> Int {
        var r = URLRequest(url: URL(string: base + "/api/v1/workflows/\(id)/events")!)
        r.httpMethod = "POST"
        r.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        r.setValue("application/json", forHTTPHeaderField: "Content-Type")
        r.httpBody = Data(body.utf8)
        let (_, response) = try await URLSession.shared.data(for: r)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    @discardableResult
    func publish(on node: Int, _ id: String, _ events: [String]) async throws -> (Int, JSONValue) {
        try await call(node, "POST", "/api/v1/workflows/\(id)/events", token: token("svc", role: .service),
                       body: "[" + events.joined(separator: ",") + "]")
    }

    /// Reads a subscription's seqs up to its terminal status, in the background.
    static func seqsUntilTerminal(_ stream: AsyncThrowingStream<WorkflowUpdate, Error>) -> Task<[Int64], Error> {
        Task {
            var seqs: [Int64] = []
            for try await e in stream {
                seqs.append(e.seq)
                if e.type == "workflow_status" { break }
            }
            return seqs
        }
    }

    static func step(_ n: Int) -> String { #"{"type":"node_update","node":"n\#(n)","status":"executing"}"# }
}
