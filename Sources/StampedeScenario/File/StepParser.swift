/// A step is a bare name (`connect`) or a one-key mapping (`subscribe: { workflow: own }`).
enum StepParser {
    static let names: Set<String> = [
        "connect", "subscribe", "create_workflow", "await", "publish", "think", "unsubscribe", "disconnect",
        "reconnect", "spam", "repeat", "pause_reading",
    ]

    static func parseList(_ c: YAMLCursor) throws -> [Step] {
        let items = try c.list()
        guard !items.isEmpty else { throw c.error("a step list cannot be empty") }
        return try items.map(parse)
    }

    static func parse(_ c: YAMLCursor) throws -> Step {
        let name: String
        let body: YAMLCursor?
        if c.isScalar {
            name = try c.string()
            body = nil
        } else {
            let entries = try c.entries()
            guard entries.count == 1, let first = entries.first else {
                throw c.error("a step is one name, e.g. '- connect' or '- subscribe: { workflow: own }'")
            }
            name = first.key
            if case .scalar(let s) = first.value.node, s.string.isEmpty || s.string == "~" || s.string == "null" { body = nil }
            else { body = first.value }
        }
        guard names.contains(name) else {
            let hint = YAMLCursor.closest(name, in: names).map { " (did you mean '\($0)'?)" } ?? ""
            throw c.error("unknown step '\(name)'\(hint)")
        }
        switch name {
        case "connect": return .connect(try connect(body))
        case "subscribe": return .subscribe(try subscribe(body))
        case "create_workflow": return .createWorkflow(try create(body))
        case "await": return .await(try awaitStep(body, at: c))
        case "publish": return .publish(try publish(body))
        case "think": return .think(try think(body, at: c))
        case "unsubscribe":
            let f = try body?.fields(["workflow"])
            return .unsubscribe(workflow: try f?["workflow"].map(workflowRef) ?? .own)
        case "disconnect":
            guard let body else { return .disconnect(.clean) }
            if body.isScalar { return .disconnect(try body.oneOf(DisconnectMode.self)) }
            let f = try body.fields(["mode"])
            return .disconnect(try f["mode"]?.oneOf(DisconnectMode.self) ?? .clean)
        case "reconnect": return .reconnect(try reconnect(body))
        case "spam": return .spam(try spam(body, at: c))
        case "pause_reading":
            guard let body else { return .pauseReading(seconds: 10) }
            if body.isScalar { return .pauseReading(seconds: try body.duration()) }
            return .pauseReading(seconds: try body.fields(["duration"]).require("duration").duration())
        default: return try repeatStep(body, at: c)
        }
    }

    static func connect(_ b: YAMLCursor?) throws -> ConnectStep {
        var s = ConnectStep()
        guard let b else { return s }
        let f = try b.fields(["transport", "token", "token_in", "expect", "timeout"])
        if let v = f["transport"] { s.transport = try v.oneOf(TransportChoice.self) }
        if let v = f["token"] { s.token = try v.oneOf(TokenChoice.self) }
        if let v = f["token_in"] { s.placement = try v.oneOf(TokenPlacement.self) }
        if let v = f["expect"] {
            let e = try v.string()
            let codes: Set<String> = ["ok", "token_missing", "token_malformed", "token_invalid_signature", "token_expired",
                                      "token_not_yet_valid", "audience_mismatch", "too_many_connections"]
            guard codes.contains(e) else { throw v.error("expect must be one of \(codes.sorted().joined(separator: ", "))") }
            s.expect = e
        }
        if let v = f["timeout"] { s.timeout = try v.duration() }
        return s
    }

    static func workflowRef(_ c: YAMLCursor) throws -> WorkflowRef {
        let s = try c.string()
        switch s {
        case "own": return .own
        case "other": return .other
        case "unknown": return .unknown
        case "created": return .created
        default:
            guard let i = Int(s), i >= 0 else { throw c.error("workflow must be own, other, unknown, created or an index; got '\(s)'") }
            return .index(i)
        }
    }

    static func subscribe(_ b: YAMLCursor?) throws -> SubscribeStep {
        var s = SubscribeStep()
        guard let b else { return s }
        if b.isScalar { s.workflow = try workflowRef(b); return s }
        let f = try b.fields(["workflow", "since", "expect", "timeout"])
        if let v = f["workflow"] { s.workflow = try workflowRef(v) }
        if let v = f["since"] { s.since = Int64(try v.int()) }
        if let v = f["expect"] {
            let e = try v.string()
            let codes: Set<String> = ["ok", "forbidden", "not_found", "invalid_request", "too_many_subscriptions", "rate_limited"]
            guard codes.contains(e) else { throw v.error("expect must be one of \(codes.sorted().joined(separator: ", "))") }
            s.expect = e
        }
        if let v = f["timeout"] { s.timeout = try v.duration() }
        return s
    }

    static func create(_ b: YAMLCursor?) throws -> CreateWorkflowStep {
        var s = CreateWorkflowStep()
        guard let b else { return s }
        let f = try b.fields(["type", "query", "subscribe"])
        if let v = f["type"] { s.kind = try v.oneOf(WorkflowSpec.Kind.self) }
        if let v = f["query"] { s.query = try v.string() }
        if let v = f["subscribe"] { s.subscribe = try v.bool() }
        return s
    }

    static func awaitStep(_ b: YAMLCursor?, at c: YAMLCursor) throws -> AwaitStep {
        guard let b else { return AwaitStep(until: .runEnd, timeout: nil) }
        if b.isScalar {
            switch try b.string() {
            case "end": return AwaitStep(until: .runEnd, timeout: nil)
            case "phase_end": return AwaitStep(until: .phaseEnd, timeout: nil)
            case let other: throw b.error("await takes end, phase_end or a mapping; got '\(other)'")
            }
        }
        let f = try b.fields(["event", "status", "count", "timeout", "until", "phase"])
        let timeout = try f["timeout"]?.duration()
        if let u = f["until"] {
            switch try u.string() {
            case "end": return AwaitStep(until: .runEnd, timeout: timeout)
            case "phase_end": return AwaitStep(until: .phaseEnd, timeout: timeout)
            case let other: throw u.error("until must be end or phase_end; got '\(other)'")
            }
        }
        if let p = f["phase"] { return AwaitStep(until: .phaseStart(try p.string()), timeout: timeout) }
        let event = try f["event"]?.string()
        let status = try f["status"]?.string()
        guard event != nil || status != nil else { throw b.error("await needs event:, status:, until: or phase:") }
        let count = try f["count"]?.int() ?? 1
        return AwaitStep(until: .event(type: event, status: status, count: max(1, count)), timeout: timeout ?? 30)
    }

    static func publish(_ b: YAMLCursor?) throws -> PublishStep {
        var s = PublishStep()
        guard let b else { return s }
        let f = try b.fields(["workflow", "count", "rate", "batch", "event", "payload_bytes"])
        if let v = f["workflow"] { s.workflow = try workflowRef(v) }
        if let v = f["count"] { s.count = try v.int() }
        if let v = f["rate"] { s.rate = try v.rate() }
        if let v = f["batch"] {
            s.batch = try v.int()
            guard (1...100).contains(s.batch) else { throw v.error("batch must be 1…100") }
        }
        if let v = f["event"] { s.event = try v.string() }
        if let v = f["payload_bytes"] { s.payloadBytes = try v.int() }
        return s
    }

    static func think(_ b: YAMLCursor?, at c: YAMLCursor) throws -> ThinkStep {
        guard let b else { throw c.error("think needs a duration, e.g. think: 1s or think: { uniform: [0ms, 2s] }") }
        if b.isScalar { let d = try b.duration(); return ThinkStep(minSeconds: d, maxSeconds: d) }
        let f = try b.fields(["uniform", "duration"])
        if let d = f["duration"] { let v = try d.duration(); return ThinkStep(minSeconds: v, maxSeconds: v) }
        let range = try f.require("uniform").list()
        guard range.count == 2 else { throw b.error("uniform takes [min, max]") }
        let lo = try range[0].duration(), hi = try range[1].duration()
        guard lo <= hi else { throw b.error("uniform: min must be ≤ max") }
        return ThinkStep(minSeconds: lo, maxSeconds: hi)
    }

    static func reconnect(_ b: YAMLCursor?) throws -> ReconnectStep {
        var s = ReconnectStep()
        guard let b else { return s }
        let f = try b.fields(["resume", "timeout"])
        if let v = f["resume"] { s.resume = try v.oneOf(ReconnectStep.Resume.self) }
        if let v = f["timeout"] { s.timeout = try v.duration() }
        return s
    }

    static func spam(_ b: YAMLCursor?, at c: YAMLCursor) throws -> SpamStep {
        guard let b else { throw c.error("spam needs { rate: 50/s, duration: 3s }") }
        let f = try b.fields(["rate", "duration", "event"])
        var s = SpamStep(rate: try f.require("rate").rate(), duration: try f.require("duration").duration())
        if let v = f["event"] { s.event = try v.string() }
        return s
    }

    static func repeatStep(_ b: YAMLCursor?, at c: YAMLCursor) throws -> Step {
        guard let b else { throw c.error("repeat needs { times: N, steps: [...] }") }
        let f = try b.fields(["times", "steps"])
        let times = try f.require("times").int()
        guard times >= 1 else { throw f["times"]!.error("times must be ≥ 1") }
        return .repeatSteps(times: times, steps: try parseList(f.require("steps")))
    }
}
