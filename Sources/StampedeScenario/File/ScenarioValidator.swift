/// Cross-field rules that a single key cannot see (the run must not start on a scenario that can't work).
enum ScenarioValidator {
    static func validate(_ s: Scenario, cursor: YAMLCursor, fields f: YAMLFields) throws {
        let phaseNames = Set(s.phases.map(\.name))
        let groupsCursor = f["groups"] ?? cursor
        if s.groups.allSatisfy({ $0.weight == 0 }) { throw groupsCursor.error("at least one group needs a weight > 0") }
        let hasLoad = s.phases.contains { if case .hold = $0.load { return false } else { return true } }
        if !hasLoad { throw (f["phases"] ?? cursor).error("no phase starts any client: give one phase clients: or arrivals:") }
        for (gi, g) in s.groups.enumerated() {
            let at = (try? groupsCursor.list()[gi]) ?? groupsCursor
            try walk(g.steps, scenario: s, phases: phaseNames, at: at, group: g.name)
        }
        for p in s.publishers where !p.phases.isEmpty {
            for name in p.phases where !phaseNames.contains(name) {
                throw (f["publishers"] ?? cursor).error("publisher names unknown phase '\(name)'")
            }
        }
        if !s.publishers.isEmpty && s.workflows.count == 0 {
            throw (f["publishers"] ?? cursor).error("publishers need workflows: { count: N } to publish to")
        }
    }

    static func walk(_ steps: [Step], scenario s: Scenario, phases: Set<String>, at: YAMLCursor, group: String) throws {
        var connected = false
        try walk(steps, scenario: s, phases: phases, at: at, group: group, connected: &connected)
    }

    /// `connected` carries through nested `repeat` steps: a repeat inside a
    /// connected session may subscribe or spam.
    static func walk(_ steps: [Step], scenario s: Scenario, phases: Set<String>, at: YAMLCursor, group: String,
                     connected: inout Bool) throws {
        func needsWorkflows(_ ref: WorkflowRef) throws {
            switch ref {
            case .own, .other:
                if s.workflows.count == 0 { throw at.error("group '\(group)': workflow '\(ref)' needs workflows: { count: N }") }
                if case .own = ref, s.workflows.owner == .perUser, s.auth.users > s.workflows.count {
                    throw at.error("group '\(group)': 'own' needs a workflow per user: auth.users (\(s.auth.users)) > workflows.count (\(s.workflows.count))")
                }
                if case .other = ref, s.auth.users < 2 { throw at.error("group '\(group)': 'other' needs auth.users ≥ 2") }
            case .index(let i):
                if i >= s.workflows.count { throw at.error("group '\(group)': workflow index \(i) ≥ workflows.count \(s.workflows.count)") }
            case .unknown, .created: break
            }
        }
        for step in steps {
            switch step {
            case .connect: connected = true
            case .reconnect: connected = true
            case .disconnect: connected = false
            case .subscribe(let sub):
                if !connected { throw at.error("group '\(group)': subscribe before connect") }
                try needsWorkflows(sub.workflow)
            case .unsubscribe(let w): try needsWorkflows(w)
            case .publish(let p): try needsWorkflows(p.workflow)
            case .spam: if !connected { throw at.error("group '\(group)': spam before connect") }
            case .pauseReading:
                if !connected { throw at.error("group '\(group)': pause_reading before connect") }
                connected = false
            case .await(let a):
                if case .phaseStart(let name) = a.until, !phases.contains(name) {
                    throw at.error("group '\(group)': await names unknown phase '\(name)'")
                }
            case .repeatSteps(_, let inner):
                try walk(inner, scenario: s, phases: phases, at: at, group: group, connected: &connected)
            case .createWorkflow, .think: break
            }
        }
    }
}
