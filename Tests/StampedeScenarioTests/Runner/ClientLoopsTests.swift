import NIOPosix
import StampedeClient
import Testing
@testable import StampedeScenario

/// Which loops a run's clients live on: the reactor carries plain-WebSocket groups, NIO the
/// polling ones and anything the reactor cannot reach.
@Suite struct ClientLoopsTests {
    static let mixed = """
        name: mixed
        workflows: { count: 1 }
        phases: [{ name: hold, duration: 1s, clients: { to: 2 } }]
        groups:
          - { name: ws, weight: 1, steps: [{ connect: { transport: websocket } }] }
          - { name: poller, weight: 1, steps: [{ connect: { transport: polling } }, { reconnect: {} }] }
          - { name: upgrader, weight: 1, steps: [{ repeat: { times: 2, steps: [{ connect: { transport: upgrade } }] } }] }
        """
    static let pollingOnly = """
        name: polling-only
        phases: [{ name: hold, duration: 1s, clients: { to: 1 } }]
        groups: [{ name: poller, steps: [{ connect: { transport: polling } }] }]
        """
    let plain = try! ServerEndpoint(url: "http://127.0.0.1:3000")
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)

    @Test func autoPutsWebSocketGroupsOnReactorsAndTheRestOnNIO() throws {
        let l = try ClientLoops.make(.auto, count: 2, scenario: try ScenarioLoader.parse(Self.mixed), endpoints: [plain], group: group).get()
        defer { l.stop() }
        #if os(Linux)
        #expect(l.reactorCount == 2)
        #expect(l.loops.count == 4)
        #expect(l.poolOfGroup == [[0, 1], [2, 3], [2, 3]])
        #expect(l.loops[0] is ReactorLoop && l.loops[1] is ReactorLoop)
        #expect(!(l.loops[2] is ReactorLoop) && !(l.loops[3] is ReactorLoop))
        #expect(l.summary(try ScenarioLoader.parse(Self.mixed)) == "reactor: ws; nio: poller, upgrader")
        #else
        #expect(l.reactorCount == 0)
        #endif
    }

    /// Publishing is NIO's HTTP: the publishers get a NIO loop even when every client is on a
    /// reactor, and no client is put on it.
    @Test func thePublishersAlwaysRunOnANIOLoop() throws {
        let wsOnly = try ScenarioLoader.parse("""
            name: ws-only
            phases: [{ name: hold, duration: 1s, clients: { to: 2 } }]
            groups: [{ name: ws, steps: [{ connect: { transport: websocket } }] }]
            """)
        for (choice, scenario) in [(ClientIO.auto, wsOnly), (.nio, wsOnly), (.auto, try ScenarioLoader.parse(Self.mixed))] {
            let l = try ClientLoops.make(choice, count: 2, scenario: scenario, endpoints: [plain], group: group).get()
            defer { l.stop() }
            #expect(!(l.loops[l.publisherLoop] is ReactorLoop), "\(choice) \(scenario.name)")
        }
        #if os(Linux)
        let l = try ClientLoops.make(.auto, count: 2, scenario: wsOnly, endpoints: [plain], group: group).get()
        defer { l.stop() }
        #expect(l.loops.count == 3 && l.publisherLoop == 2)
        #expect(l.poolOfGroup == [[0, 1]], "no client lands on the publishers' loop")
        #endif
    }

    @Test func nioOrAnUnreachableTargetKeepsEveryoneOnNIO() throws {
        let s = try ScenarioLoader.parse(Self.mixed)
        for (choice, endpoint) in [(ClientIO.nio, plain), (.auto, try ServerEndpoint(url: "https://127.0.0.1:3443")),
                                   (.auto, try ServerEndpoint(url: "http://localhost:3000"))] {
            let l = try ClientLoops.make(choice, count: 2, scenario: s, endpoints: [endpoint], group: group).get()
            #expect(l.reactorCount == 0, "\(choice) \(endpoint.host)")
            #expect(l.loops.count == 2)
            #expect(l.poolOfGroup == [[0, 1], [0, 1], [0, 1]])
            #expect(l.summary(s) == "nio: ws, poller, upgrader")
        }
    }

    @Test func reactorRefusesARunItCannotCarry() throws {
        let refused = ClientLoops.make(.reactor, count: 1, scenario: try ScenarioLoader.parse(Self.pollingOnly), endpoints: [plain], group: group)
        #if os(Linux)
        guard case .failure(let e) = refused else { Issue.record("a polling-only run was accepted"); return }
        #expect(e.description == "--client-io reactor cannot carry this run: no group connects over plain WebSocket only")
        let tls = ClientLoops.make(.reactor, count: 1, scenario: try ScenarioLoader.parse(Self.mixed),
                                   endpoints: [try ServerEndpoint(url: "https://127.0.0.1:3443")], group: group)
        guard case .failure(let t) = tls else { Issue.record("a TLS run was accepted"); return }
        #expect(t.description == "--client-io reactor cannot carry this run: 127.0.0.1:3443 is TLS")
        #endif
    }
}

extension Live {
    /// One scenario, WebSocket and polling subscribers side by side, run with the clients'
    /// WebSockets on the reactor (`auto`) and on NIO: both see every event, in order, once.
    @Suite(.serialized) struct ClientIOLiveTests {
        static let scenario = """
            name: client-io
            auth: { users: 2 }
            workflows: { count: 2 }
            phases:
              - { name: ramp, duration: 1s, clients: { to: 12 } }
              - { name: hold, duration: 3s }
            groups:
              - name: ws
                weight: 2
                steps: [{ connect: { transport: websocket } }, { subscribe: { workflow: own } }, { await: { until: end } }]
              - name: poller
                weight: 1
                steps: [{ connect: { transport: polling } }, { subscribe: { workflow: own } }, { await: { until: end } }]
            publishers: [{ rate: 20/s, per: workflow, event: node_update, phases: [hold] }]
            checks: [ordering, isolation]
            """

        @Test(arguments: [ClientIO.auto, .nio]) func everyDeliveryArrivesInOrderOnEitherIO(io: ClientIO) async throws {
            let server = try await EndToEndTests.server()
            var o = RunOptions(baseURL: server.baseURL, jwtSecret: "dev-secret", embedded: true)
            o.progress = .quiet
            o.eventLoopThreads = 2
            o.clientIO = io
            let outcome = await ScenarioRunner.run(try ScenarioLoader.parse(Self.scenario), options: o)
            try await server.shutdown()
            #expect(outcome.exitCode == 0, "\(outcome.report.abortReason ?? "")")
            #expect((outcome.report.metrics["event_delivery"]?.count ?? 0) > 100)
            #expect(outcome.report.errorsByCode.isEmpty, "\(outcome.report.errorsByCode)")
            #expect(outcome.report.checks.allSatisfy { $0.passed }, "\(outcome.report.checks.map { "\($0.name): \($0.evidence)" })")
            #if os(Linux)
            #expect(outcome.report.environment.clientIO == (io == .nio ? "nio: ws, poller" : "reactor: ws; nio: poller"))
            #endif
        }
    }
}
