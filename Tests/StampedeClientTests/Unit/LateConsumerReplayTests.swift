import NIOCore
import StampedeContract
import StampedeJSON
import Testing
@testable import StampedeClient

/// A consumer that joins a running feed with an older `since` is replayed by a resubscribe. A
/// live event that reaches the socket before the server has taken that resubscribe is ahead of
/// the consumer's position: taken, it would make the replay look like duplicates and the
/// consumer would silently miss what lies between (seen under load as `[9]` instead of
/// `[6, 7, 8, 9]` in ClientLibraryAppTests). It must wait for its replay instead.
@Suite struct LateConsumerReplayTests {
    static func event(_ seq: Int64) -> WorkflowEvent {
        WorkflowEvent(workflowID: "wf-late", seq: seq, ts: 1,
                      body: WorkflowEventBody(type: "node_update", fields: ["node": "n", "status": "executing"]))
    }

    @Test func aLiveEventAheadOfALateConsumerWaitsForItsReplay() async throws {
        let box = LiveUpdatesCore.boxed(endpoint: try ServerEndpoint(url: "http://127.0.0.1:1"), options: StampedeClientOptions(),
                                        tokenIsFixed: true, tokenProvider: { "t" })
        let (early, earlyIn) = AsyncThrowingStream<WorkflowUpdate, Error>.makeStream()
        let (late, lateIn) = AsyncThrowingStream<WorkflowUpdate, Error>.makeStream()
        try await box.eventLoop.submit {
            let core = box.value
            core.subscribe(.init(workflowID: "wf-late", since: 0, continuation: earlyIn))
            for seq: Int64 in 1...8 { core.deliver(Self.event(seq)) }
            core.subscribe(.init(workflowID: "wf-late", since: 5, continuation: lateIn))
            core.deliver(Self.event(9))                          // live, before the resubscribe took effect
            for seq: Int64 in 6...9 { core.deliver(Self.event(seq)) }  // the replay from since 5
            core.deliver(WorkflowEvent(workflowID: "wf-late", seq: 10, ts: 1,
                                       body: WorkflowEventBody(type: "workflow_status", fields: ["status": "completed"])))
        }.get()
        var lateSeqs: [Int64] = [], earlySeqs: [Int64] = []
        for try await u in late { lateSeqs.append(u.seq) }
        for try await u in early { earlySeqs.append(u.seq) }
        #expect(lateSeqs == [6, 7, 8, 9, 10])
        #expect(earlySeqs == Array(1...10), "the consumer already there gets each event once")
    }

    /// The workflow's end arriving live before the late consumer's replay ends the others' streams
    /// but not the late one's: its replay brings it everything, the end included.
    @Test func theEndArrivingBeforeTheReplayDoesNotCutTheLateConsumerShort() async throws {
        let box = LiveUpdatesCore.boxed(endpoint: try ServerEndpoint(url: "http://127.0.0.1:1"), options: StampedeClientOptions(),
                                        tokenIsFixed: true, tokenProvider: { "t" })
        let (early, earlyIn) = AsyncThrowingStream<WorkflowUpdate, Error>.makeStream()
        let (late, lateIn) = AsyncThrowingStream<WorkflowUpdate, Error>.makeStream()
        let end = WorkflowEvent(workflowID: "wf-late", seq: 9, ts: 1,
                                body: WorkflowEventBody(type: "workflow_status", fields: ["status": "completed"]))
        try await box.eventLoop.submit {
            let core = box.value
            core.subscribe(.init(workflowID: "wf-late", since: 0, continuation: earlyIn))
            for seq: Int64 in 1...8 { core.deliver(Self.event(seq)) }
            core.subscribe(.init(workflowID: "wf-late", since: 5, continuation: lateIn))
            core.deliver(end)                                    // live
            for seq: Int64 in 6...8 { core.deliver(Self.event(seq)) }
            core.deliver(end)                                    // the replay's last event
        }.get()
        var lateSeqs: [Int64] = [], earlySeqs: [Int64] = []
        for try await u in late { lateSeqs.append(u.seq) }
        for try await u in early { earlySeqs.append(u.seq) }
        #expect(lateSeqs == [6, 7, 8, 9])
        #expect(earlySeqs == Array(1...9))
    }
}
