import Foundation
import StampedeJSON
import Yams

/// YAML text → `Scenario`, or a `ScenarioFileError` naming file:line:column.
public enum ScenarioLoader {
    public static func load(path: String, overrides: [String: String] = [:], extraBudgets: [String] = []) throws -> Scenario {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ScenarioFileError(file: path, line: 0, column: 0,
                                    message: "no such scenario file (relative to \(FileManager.default.currentDirectoryPath))")
        }
        if isDirectory.boolValue {
            throw ScenarioFileError(file: path, line: 0, column: 0, message: "is a directory, not a scenario file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioFileError(file: path, line: 0, column: 0, message: "the scenario file cannot be read (permissions?)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ScenarioFileError(file: path, line: 0, column: 0, message: "the scenario file is not UTF-8 text")
        }
        return try parse(text, file: path, overrides: overrides, extraBudgets: extraBudgets)
    }

    public static func parse(_ text: String, file: String = "<scenario>", overrides: [String: String] = [:],
                             extraBudgets: [String] = []) throws -> Scenario {
        let root: Node
        do {
            guard let n = try Yams.compose(yaml: text) else {
                throw ScenarioFileError(file: file, line: 1, column: 1, message: "the scenario file is empty")
            }
            root = n
        } catch let e as ScenarioFileError {
            throw e
        } catch {
            throw ScenarioFileError.from(yamlError: error, file: file)
        }
        // Variables first (they are plain scalars, substituted nowhere else), then --set on top.
        var variables: [String: String] = [:]
        let bare = YAMLCursor(node: root, file: file, variables: [:], path: "")
        let top = try bare.fields(topLevelKeys)
        if let v = top["variables"] {
            for (k, val) in try v.entries() { variables[k] = try val.string() }
        }
        for (k, v) in overrides {
            guard variables[k] != nil else {
                throw ScenarioFileError(file: file, line: 1, column: 1,
                                        message: "--set \(k)=…: the scenario declares no variable '\(k)' (declared: \(variables.keys.sorted().joined(separator: ", ")))")
            }
            variables[k] = v
        }
        let cursor = YAMLCursor(node: root, file: file, variables: variables, path: "")
        let f = try cursor.fields(topLevelKeys)
        return try build(f, cursor: cursor, variables: variables, extraBudgets: extraBudgets)
    }

    static let topLevelKeys: Set<String> = [
        "name", "description", "target", "server", "auth", "variables", "phases", "workflows", "groups",
        "publishers", "checks", "budgets", "abort_on_fail", "abort_grace", "drain",
        "require_connected", "error_rate_ceiling",
    ]

    static func build(_ f: YAMLFields, cursor: YAMLCursor, variables: [String: String], extraBudgets: [String]) throws -> Scenario {
        let name = try f["name"]?.string() ?? "scenario"
        var target = Target.embedded
        if let t = f["target"] {
            let s = try t.string()
            if s == "embedded" { target = .embedded }
            else if s.hasPrefix("http://") || s.hasPrefix("https://") || s.hasPrefix("ws://") || s.hasPrefix("wss://") {
                target = .url(s.replacingOccurrences(of: "ws://", with: "http://").replacingOccurrences(of: "wss://", with: "https://"))
            } else { throw t.error("target must be 'embedded' or an http(s)://host:port URL, got '\(s)'") }
        }
        var server: [String: JSONValue] = [:]
        if let s = f["server"] {
            for (k, v) in try s.entries() {
                guard ServerSettingKey(rawValue: k) != nil else {
                    let known = Set(ServerSettingKey.allCases.map(\.rawValue))
                    let hint = YAMLCursor.closest(k, in: known).map { " (did you mean '\($0)'?)" } ?? ""
                    throw v.error("unknown server option '\(k)'\(hint)")
                }
                server[k] = try scalarJSON(v)
            }
        }
        let auth = try f["auth"].map(parseAuth) ?? AuthSpec()
        let phases = try parsePhases(f.require("phases"))
        let workflows = try f["workflows"].map(parseWorkflows) ?? WorkflowSpec()
        let groups = try parseGroups(f.require("groups"))
        let publishers = try f["publishers"].map { try $0.list().map(parsePublisher) } ?? []
        let checks = try f["checks"].map(parseChecks) ?? []
        var budgets = try f["budgets"].map(parseBudgets) ?? []
        for text in extraBudgets {
            do {
                let b = try BudgetParser.parse(expression: text)
                budgets.removeAll { $0.subjectKey == b.subjectKey }
                budgets.append(b)
            } catch {
                throw ScenarioFileError(file: "--budget", line: 0, column: 0, message: "\(error)")
            }
        }
        var scenario = Scenario(
            name: name, description: try f["description"]?.string(), target: target, server: server, auth: auth,
            variables: variables, phases: phases, workflows: workflows, groups: groups, publishers: publishers,
            checks: checks, budgets: budgets, abortOnFail: try f["abort_on_fail"]?.bool() ?? false,
            abortGraceSeconds: try f["abort_grace"]?.duration() ?? 5, drainSeconds: try f["drain"]?.duration() ?? 2,
            resolved: try toJSON(cursor))
        if let v = f["require_connected"] { scenario.requireConnected = try v.bool() }
        if let v = f["error_rate_ceiling"] { scenario.errorRateCeiling = try parseCeiling(v) }
        try ScenarioValidator.validate(scenario, cursor: cursor, fields: f)
        return scenario
    }

    /// `error_rate_ceiling: 1%`, `0.05`, or `off`.
    static func parseCeiling(_ c: YAMLCursor) throws -> Double? {
        let text = try c.string().trimmingCharacters(in: .whitespaces)
        if ["off", "none", "false"].contains(text.lowercased()) { return nil }
        let value = text.hasSuffix("%") ? Double(text.dropLast()).map { $0 / 100 } : Double(text)
        guard let value, (0...1).contains(value) else {
            throw c.error("error_rate_ceiling must be a ratio 0…1 (0.01), a percentage (1%) or off, got '\(text)'")
        }
        return value
    }

    static func parseAuth(_ c: YAMLCursor) throws -> AuthSpec {
        let f = try c.fields(["users", "user_prefix", "secret", "audience", "expires_in", "users_file", "service_token", "admin_token"])
        var a = AuthSpec()
        if let v = f["users"] { a.users = try v.int(); guard a.users >= 1 else { throw v.error("users must be ≥ 1") } }
        if let v = f["user_prefix"] { a.userPrefix = try v.string() }
        a.secret = try f["secret"]?.string()
        a.audience = try f["audience"]?.string()
        if let v = f["expires_in"] { a.expiresInSeconds = try v.duration() }
        if let v = f["users_file"] {
            do {
                let rows = try UsersFile.load(try v.string(), relativeTo: c.file)
                if let n = f["users"], try n.int() != rows.userIDs.count {
                    throw v.error("users (\(try n.int())) disagrees with the \(rows.userIDs.count) users in users_file; leave users out")
                }
                a.users = rows.userIDs.count
                a.userIDs = rows.userIDs
                a.tokens = rows.tokens
            } catch let e as UsersFile.Failure { throw v.error(e.message) }
        }
        a.serviceToken = try f["service_token"]?.string()
        a.adminToken = try f["admin_token"]?.string()
        return a
    }

    static func parsePhases(_ c: YAMLCursor) throws -> [Phase] {
        let items = try c.list()
        guard !items.isEmpty else { throw c.error("at least one phase is needed") }
        var names = Set<String>()
        return try items.enumerated().map { i, item in
            let f = try item.fields(["name", "duration", "clients", "arrivals"])
            let name = try f["name"]?.string() ?? "phase\(i + 1)"
            guard names.insert(name).inserted else { throw item.error("phase name '\(name)' is used twice") }
            let duration = try f.require("duration").duration()
            guard duration > 0 else { throw item.error("duration must be > 0") }
            var load = LoadModel.hold
            if let cl = f["clients"], let ar = f["arrivals"] {
                _ = cl
                throw ar.error("a phase has either clients (closed model) or arrivals (open model), not both")
            }
            if let cl = f["clients"] {
                if cl.isScalar { load = .closed(from: nil, to: try cl.int()) }
                else {
                    let cf = try cl.fields(["from", "to"])
                    load = .closed(from: try cf["from"]?.int(), to: try cf.require("to").int())
                }
            } else if let ar = f["arrivals"] {
                if ar.isScalar { let r = try ar.rate(); load = .open(fromRate: r, toRate: r) }
                else {
                    let af = try ar.fields(["from", "to", "rate"])
                    if let r = af["rate"] { let v = try r.rate(); load = .open(fromRate: v, toRate: v) }
                    else { load = .open(fromRate: try af["from"]?.rate() ?? 0, toRate: try af.require("to").rate()) }
                }
            }
            return Phase(name: name, duration: duration, load: load)
        }
    }

    static func parseWorkflows(_ c: YAMLCursor) throws -> WorkflowSpec {
        let f = try c.fields(["count", "type", "owner", "query"])
        var w = WorkflowSpec()
        if let v = f["count"] { w.count = try v.int(); guard w.count >= 0 else { throw v.error("count must be ≥ 0") } }
        if let v = f["type"] { w.kind = try v.oneOf(WorkflowSpec.Kind.self) }
        if let v = f["owner"] { w.owner = try v.oneOf(WorkflowSpec.Ownership.self) }
        if let v = f["query"] { w.query = try v.string() }
        return w
    }

    static func parseGroups(_ c: YAMLCursor) throws -> [ClientGroup] {
        let items = try c.list()
        guard !items.isEmpty else { throw c.error("at least one client group is needed") }
        return try items.enumerated().map { i, item in
            let f = try item.fields(["name", "weight", "steps"])
            let weight = try f["weight"]?.int() ?? 1
            guard weight >= 0 else { throw f["weight"]!.error("weight must be ≥ 0") }
            let steps = try StepParser.parseList(f.require("steps"))
            return ClientGroup(name: try f["name"]?.string() ?? "group\(i + 1)", weight: weight, steps: steps)
        }
    }

    static func parsePublisher(_ c: YAMLCursor) throws -> PublisherSpec {
        let f = try c.fields(["rate", "per", "event", "payload_bytes", "batch", "phases", "complete_at_end"])
        let per = try f["per"]?.string() ?? "workflow"
        guard per == "workflow" || per == "total" else { throw f["per"]!.error("per must be 'workflow' or 'total'") }
        let event = try f["event"]?.string() ?? "node_update"
        let batch = try f["batch"]?.int() ?? 1
        guard (1...100).contains(batch) else { throw f["batch"]!.error("batch must be 1…100 (the API's limit)") }
        return PublisherSpec(rate: try f.require("rate").rate(), perWorkflow: per == "workflow", event: event,
                             payloadBytes: try f["payload_bytes"]?.int() ?? 0, batch: batch,
                             phases: try f["phases"]?.list().map { try $0.string() } ?? [],
                             completeAtEnd: try f["complete_at_end"]?.bool() ?? false)
    }

    static func parseChecks(_ c: YAMLCursor) throws -> [CheckSpec] {
        func kind(_ name: String, _ at: YAMLCursor) throws -> CheckKind {
            guard let k = CheckKind(rawValue: name) else {
                let hint = YAMLCursor.closest(name, in: Set(CheckKind.allCases.map(\.rawValue))).map { " (did you mean '\($0)'?)" } ?? ""
                throw at.error("unknown check '\(name)'\(hint)")
            }
            return k
        }
        if c.isMapping {
            return try c.entries().map { k, v in
                var opts: [String: JSONValue] = [:]
                if v.isMapping { for (ok, ov) in try v.entries() { opts[ok] = try scalarJSON(ov) } }
                return CheckSpec(kind: try kind(k, v), options: opts)
            }
        }
        return try c.list().map { item in
            if item.isScalar { return CheckSpec(kind: try kind(item.string(), item), options: [:]) }
            let entries = try item.entries()
            guard entries.count == 1, let (k, v) = entries.first else { throw item.error("a check is a name or { name: { options } }") }
            var opts: [String: JSONValue] = [:]
            if v.isMapping { for (ok, ov) in try v.entries() { opts[ok] = try scalarJSON(ov) } }
            return CheckSpec(kind: try kind(k, v), options: opts)
        }
    }

    static func parseBudgets(_ c: YAMLCursor) throws -> [Budget] {
        func wrap(_ at: YAMLCursor, _ body: () throws -> Budget) throws -> Budget {
            do { return try body() } catch let e as BudgetParser.Failure { throw at.error(e.message) }
        }
        if c.isMapping {
            return try c.entries().map { k, v in try wrap(v) { try BudgetParser.parse(subject: k, value: try v.string()) } }
        }
        return try c.list().map { item in try wrap(item) { try BudgetParser.parse(expression: try item.string()) } }
    }

    static func scalarJSON(_ c: YAMLCursor) throws -> JSONValue {
        switch c.node {
        case .scalar:
            let s = try c.string()
            if let i = Int64(s) { return .int(i) }
            if let d = Double(s) { return .double(d) }
            if let b = try? c.bool() { return .bool(b) }
            return .string(s)
        case .sequence: return .array(try c.list().map(scalarJSON))
        case .mapping: return .object(JSONObject(try c.entries().map { ($0.key, try scalarJSON($0.value)) }))
        case .alias: throw c.error("YAML aliases are not supported")
        }
    }

    /// The resolved file as JSON for the report (variables substituted).
    static func toJSON(_ c: YAMLCursor) throws -> JSONValue { try scalarJSON(c) }
}
