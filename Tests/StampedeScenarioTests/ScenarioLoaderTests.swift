import Foundation
import Testing
@testable import StampedeScenario

@Suite struct ScenarioLoaderTests {
    static let minimal = """
    name: t
    auth: { users: 4 }
    workflows: { count: 4 }
    phases:
      - { name: ramp, duration: 2s, clients: { to: 8 } }
      - { name: hold, duration: 1s }
    groups:
      - name: w
        steps:
          - connect: { transport: polling }
          - subscribe: { workflow: own, since: 3 }
          - await: { until: end }
    checks: [ordering, { stats_match: { tolerance: 1 } }]
    budgets:
      event_delivery.p99: 50ms
      events.rate: 100/s
    """

    @Test func loadsTheModel() throws {
        let s = try ScenarioLoader.parse(Self.minimal)
        #expect(s.name == "t")
        #expect(s.phases.map(\.name) == ["ramp", "hold"])
        #expect(s.phases[0].load == .closed(from: nil, to: 8))
        #expect(s.phases[1].load == .hold)
        #expect(s.groups[0].steps[0] == .connect({ var c = ConnectStep(); c.transport = .polling; return c }()))
        #expect(s.groups[0].steps[1] == .subscribe(SubscribeStep(workflow: .own, since: 3)))
        #expect(s.checks.map(\.kind) == [.ordering, .statsMatch])
        #expect(s.checks[1].options["tolerance"] == .int(1))
        #expect(s.budgets[0].limit == 50 && s.budgets[0].comparison == .lessOrEqual)
        #expect(s.budgets[1].subject == .throughput(metric: "events") && s.budgets[1].comparison == .greaterOrEqual)
    }

    @Test func unknownKeyIsReportedWithLineAndColumn() throws {
        let text = Self.minimal.replacingOccurrences(of: "subscribe: { workflow: own, since: 3 }", with: "subscribe: { workflwo: own }")
        do {
            _ = try ScenarioLoader.parse(text, file: "x.yaml")
            Issue.record("expected an error")
        } catch let e as ScenarioFileError {
            #expect(e.file == "x.yaml")
            #expect(e.line == 11)
            #expect(e.column == 22)
            #expect(e.message.contains("did you mean 'workflow'"))
        }
    }

    @Test func yamlSyntaxErrorKeepsItsPosition() {
        #expect(throws: ScenarioFileError.self) { try ScenarioLoader.parse("name: [unclosed\nphases: x", file: "bad.yaml") }
        do { _ = try ScenarioLoader.parse("name: [unclosed\nphases: x", file: "bad.yaml") } catch let e as ScenarioFileError {
            #expect(e.line >= 1 && e.description.hasPrefix("bad.yaml:"))
        } catch { Issue.record("wrong error \(error)") }
    }

    @Test func repeatInsideAConnectedSessionMaySubscribe() throws {
        let inside = Self.minimal.replacingOccurrences(of: "- await: { until: end }",
            with: "- repeat: { times: 2, steps: [{ unsubscribe: { workflow: own } }, { subscribe: own }] }")
        #expect(throws: Never.self) { try ScenarioLoader.parse(inside) }
        let beforeConnect = Self.minimal.replacingOccurrences(of: "- connect: { transport: polling }",
            with: "- repeat: { times: 1, steps: [{ subscribe: own }] }\n      - connect")
        #expect(throws: ScenarioFileError.self) { try ScenarioLoader.parse(beforeConnect) }
    }

    @Test func unknownStepAndCheckAreRefused() {
        let badStep = Self.minimal.replacingOccurrences(of: "- await: { until: end }", with: "- awiat: { until: end }")
        #expect(throws: ScenarioFileError.self) { try ScenarioLoader.parse(badStep) }
        let badCheck = Self.minimal.replacingOccurrences(of: "checks: [ordering,", with: "checks: [ordring,")
        #expect(throws: ScenarioFileError.self) { try ScenarioLoader.parse(badCheck) }
    }

    @Test func variablesAndOverrides() throws {
        let text = Self.minimal.replacingOccurrences(of: "name: t", with: "name: t\nvariables: { n: \"8\" }")
            .replacingOccurrences(of: "clients: { to: 8 }", with: "clients: { to: \"${n}\" }")
        #expect(try ScenarioLoader.parse(text, overrides: ["n": "30"]).phases[0].load == .closed(from: nil, to: 30))
        #expect(throws: ScenarioFileError.self) { try ScenarioLoader.parse(text, overrides: ["nope": "1"]) }
    }

    @Test func commandLineBudgetOverridesTheFile() throws {
        let s = try ScenarioLoader.parse(Self.minimal, extraBudgets: ["event_delivery.p99 < 10ms"])
        let b = s.budgets.filter { $0.subjectKey == "event_delivery.p99" }
        #expect(b.count == 1 && b[0].limit == 10 && b[0].comparison == .lessThan)
    }

    @Test func subscribeBeforeConnectIsRefused() {
        let text = Self.minimal.replacingOccurrences(of: "- connect: { transport: polling }\n", with: "")
        #expect(throws: ScenarioFileError.self) { try ScenarioLoader.parse(text) }
    }

    @Test func theSmokeScenarioLoads() throws {
        let path = #filePath.components(separatedBy: "/Tests/")[0] + "/scenarios/smoke.yaml"
        let s = try ScenarioLoader.load(path: path)
        #expect(s.totalDuration < 20)
        #expect(!s.checks.isEmpty && !s.budgets.isEmpty)
    }

    /// The benchmark scripts and docs run these files by path; a key renamed in the loader must
    /// not leave one of them unloadable until someone runs the script.
    @Test func everyBundledScenarioLoads() throws {
        let root = #filePath.components(separatedBy: "/Tests/")[0] + "/scenarios"
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".yaml") } ?? []
        #expect(files.count >= 20, "found \(files.count) scenario files under \(root)")
        for file in files {
            do { _ = try ScenarioLoader.load(path: root + "/" + file) } catch { Issue.record("scenarios/\(file): \(error)") }
        }
    }
}
