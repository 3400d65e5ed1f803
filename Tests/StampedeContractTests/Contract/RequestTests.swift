import StampedeContract
import StampedeJSON
import Testing

@Suite struct SubscribeRequestTests {
    @Test func parsesIdAndOptionalSince() throws {
        #expect(try SubscribeRequest.parse([["workflow_id": "wf-1"]]).get() == .init(workflowID: "wf-1"))
        #expect(try SubscribeRequest.parse([["workflow_id": "wf-1", "since": 7]]).get() == .init(workflowID: "wf-1", since: 7))
        #expect(try SubscribeRequest.parse([["workflow_id": "wf-1", "since": nil]]).get().since == nil)
        #expect(try SubscribeRequest.parse([["workflow_id": "wf-1", "since": 0]]).get().since == 0)
        #expect(try SubscribeRequest.parse([["workflow_id": "wf-1", "since": 3.0]]).get().since == 3)
    }

    @Test(arguments: [
        [], ["wf-1"], [["id": "wf-1"]], [["workflow_id": 5]], [["workflow_id": ""]], [["workflow_id": "a b"]],
        [["workflow_id": "wf", "since": -1]], [["workflow_id": "wf", "since": "3"]], [["workflow_id": "wf", "since": 1.5]],
    ] as [[JSONValue]])
    func refusedAsInvalidRequest(_ args: [JSONValue]) {
        guard case .failure = SubscribeRequest.parse(args) else { Issue.record("accepted \(args)"); return }
    }

    @Test func jsonRoundTrips() throws {
        let r = SubscribeRequest(workflowID: "wf", since: 4)
        #expect(r.json.serialized == #"{"workflow_id":"wf","since":4}"#)
        #expect(try SubscribeRequest.parse([r.json]).get() == r)
        #expect(SubscribeRequest(workflowID: "wf").json.serialized == #"{"workflow_id":"wf"}"#)
    }

    @Test func unsubscribeNeedsAValidId() throws {
        #expect(try UnsubscribeRequest.parse([["workflow_id": "wf"]]).get().workflowID == "wf")
        guard case .failure = UnsubscribeRequest.parse([["workflow_id": "no way"]]) else { Issue.record("accepted"); return }
    }
}
