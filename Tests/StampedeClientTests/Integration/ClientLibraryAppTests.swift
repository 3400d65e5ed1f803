import Foundation
import NIOConcurrencyHelpers
import StampedeJSON
import StampedeTestSupport
import Testing
@testable import StampedeClient

/// Issue 15, item 13, against the real server over real sockets: typed
/// events, workflows created and searches started from the library, several
/// subscriptions to one workflow, and the bounded buffer's policy.
@Suite(.timeLimit(.minutes(1))) struct ClientLibraryAppTests {
    typealias Collector = StampedeClientLibraryTests.Collector

    static func client(_ t: TestServer, _ user: String, _ tweak: (inout StampedeClientOptions) -> Void = { _ in }) throws -> LiveUpdatesClient {
        var o = StampedeClientLibraryTests.fastOptions()
        tweak(&o)
        return try LiveUpdatesClient(url: t.server.baseURL, token: try t.token(user), options: o)
    }

    @Test func aSearchStartedFromTheLibraryArrivesAsTypedEvents() async throws {
        let t = try await TestServer.start()
        let client = try Self.client(t, "app1")
        let card = try await client.startSearch("swift concurrency")
        #expect(card.type == "search" && card.query == "swift concurrency" && card.userID == "app1")
        var updates: [WorkflowUpdate] = []
        for try await u in client.subscribe(card.workflowID, since: 0) { updates.append(u) }
        #expect(updates.map(\.seq) == (1...Int64(updates.count)).map { $0 })
        #expect(updates.first?.payload == .workflowStatus(.init(status: .running)))
        #expect(updates.last?.payload == .workflowStatus(.init(status: .completed)))
        let nodes = updates.compactMap { if case .nodeUpdate(let n) = $0.payload { n } else { nil } }
        #expect(nodes.map(\.node) == ["analyze_query", "analyze_query", "synthesize", "synthesize"])
        let tools = updates.compactMap { if case .toolUpdate(let t) = $0.payload { t } else { nil } }
        #expect(tools.last?.tool == "WebSearchTool" && tools.last?.status == .completed && tools.last?.executionTimeMs != nil)
        let results = updates.compactMap { if case .searchResults(let r) = $0.payload { r } else { nil } }
        #expect(results.count == 1 && results[0].query == "swift concurrency" && !results[0].results.isEmpty)
        let read = try await client.workflow(card.workflowID)
        #expect(read.status == .completed && read.seq == updates.last?.seq)
        await client.close()
        try await t.stop()
    }

    struct Deploy: Decodable, Equatable { var stage: String }

    @Test func externalWorkflowsCustomEventsCancelAndAPIErrors() async throws {
        let t = try await TestServer.start()
        let client = try Self.client(t, "app2")
        let card = try await client.createExternalWorkflow()
        #expect(card.type == "external" && card.status == .pending)
        let c = Collector(client.subscribe(card.workflowID, since: 0))
        try await t.publish(card.workflowID, [["type": "deploy_step", "stage": "build"]])
        #expect(await waitUntil { c.events.count == 1 })
        #expect(c.events.first?.payload == .custom(type: "deploy_step"))
        #expect(try c.events.first?.decode(Deploy.self) == Deploy(stage: "build"))
        let cancelled = try await client.cancelWorkflow(card.workflowID)
        #expect(cancelled.status == .cancelled)
        #expect(await waitUntil { c.isFinished })
        #expect(c.events.last?.payload == .workflowStatus(.init(status: .cancelled)))
        await #expect(throws: StampedeAPIError.self) { try await client.workflow("no-such-workflow") }
        do {
            _ = try await client.workflow("no-such-workflow")
        } catch let e as StampedeAPIError {
            #expect(e.status == 404 && e.code == "not_found")
        }
        await client.close()
        try await t.stop()
    }

    /// Defect: a second subscription to a workflow finished the first one.
    @Test(arguments: [Int64?.none, 0])
    func twoSubscriptionsToOneWorkflowEachGetEveryEvent(secondSince: Int64?) async throws {
        let t = try await TestServer.start()
        let wf = try await t.createExternalWorkflow(for: "app3")
        let client = try Self.client(t, "app3")
        try await client.connect()
        let first = Collector(client.subscribe(wf, since: 0))
        try await t.publish(wf, [StampedeClientLibraryTests.node(1), StampedeClientLibraryTests.node(2)])
        #expect(await waitUntil { first.events.count == 2 })
        // Live-only (nil) starts after seq 2; since 0 is replayed from seq 1.
        let second = Collector(client.subscribe(wf, since: secondSince))
        try await Task.sleep(for: .milliseconds(200))  // the second subscribe's ack; nothing asserts on time
        try await t.publish(wf, [StampedeClientLibraryTests.node(3), StampedeClientLibraryTests.done])
        #expect(await waitUntil { first.isFinished && second.isFinished })
        #expect(first.events.map(\.seq) == [1, 2, 3, 4])
        #expect(second.events.map(\.seq) == (secondSince == nil ? [3, 4] : [1, 2, 3, 4]))
        #expect(!first.failed && !second.failed)
        await client.close()
        try await t.stop()
    }

    /// A consumer that stops reading gets its buffer, then `consumerTooSlow`
    /// with the seq to resume from; resubscribing from there loses nothing.
    @Test func aSlowConsumerGetsItsBufferThenAResumePoint() async throws {
        let t = try await TestServer.start()
        let wf = try await t.createExternalWorkflow(for: "app4")
        let client = try Self.client(t, "app4")
        try await client.connect()
        let slow = client.subscribe(wf, since: 0, bufferLimit: 5)  // not read until the end
        let fast = Collector(client.subscribe(wf, since: 0))
        try await t.publish(wf, (1...8).map(StampedeClientLibraryTests.node))
        // Both streams are fed in the same loop turn: once the fast one has
        // seq 8, the slow one has seen (and overflowed on) it too.
        #expect(await waitUntil { fast.events.count == 8 })
        var seqs: [Int64] = []
        var resume: Int64?
        do {
            for try await u in slow { seqs.append(u.seq) }
        } catch StampedeClientError.consumerTooSlow(let id, let since) {
            #expect(id == wf)
            resume = since
        }
        #expect(seqs == [1, 2, 3, 4, 5])
        #expect(resume == 5)
        let rest = Collector(client.subscribe(wf, since: resume))
        try await t.publish(wf, [StampedeClientLibraryTests.done])
        #expect(await waitUntil { rest.isFinished && fast.isFinished })
        #expect(rest.events.map(\.seq) == [6, 7, 8, 9])
        #expect(fast.events.map(\.seq) == Array(1...9))
        await client.close()
        try await t.stop()
    }
}
