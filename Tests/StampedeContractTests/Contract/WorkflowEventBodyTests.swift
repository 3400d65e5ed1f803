import StampedeContract
import StampedeJSON
import Testing

@Suite struct WorkflowEventBodyTests {
    func parse(_ text: String) throws -> Result<WorkflowEventBody, ContractViolation> {
        WorkflowEventBody.parsePublished(try JSONParser.parse(text))
    }

    @Test func builtInsWithTheirFieldsParse() throws {
        #expect(try parse(#"{"type":"node_update","node":"n","status":"executing"}"#).get()
            == .nodeUpdate(node: "n", status: .executing))
        #expect(try parse(#"{"type":"tool_update","tool":"t","status":"completed","message":"m","execution_time_ms":1.5}"#).get()
            == .toolUpdate(tool: "t", status: .completed, message: "m", executionTimeMs: 1.5))
        #expect(try parse(#"{"type":"search_results","query":"q","results":[],"synthesis":"s"}"#).get()
            == .searchResults(query: "q", results: [], synthesis: "s"))
        #expect(try parse(#"{"type":"workflow_status","status":"cancelled"}"#).get().workflowStatus == .cancelled)
    }

    @Test(arguments: [
        #"{"type":"node_update","status":"executing"}"#,
        #"{"type":"node_update","node":"n","status":"running"}"#,
        #"{"type":"tool_update","tool":"t"}"#,
        #"{"type":"search_results","query":"q","results":{},"synthesis":"s"}"#,
        #"{"type":"workflow_status","status":"pending"}"#,
        #"{"type":"workflow_status","status":"done"}"#,
        #"{"type":"Custom"}"#,
        #"{"type":"connect"}"#,
        #"{"type":7}"#,
        #"{"node":"n"}"#,
        #"["type","node_update"]"#,
    ])
    func refused(_ text: String) throws {
        guard case .failure = try parse(text) else { Issue.record("accepted \(text)"); return }
    }

    @Test func customTypesPassThroughAndStampFieldsAreDropped() throws {
        let body = try parse(#"{"type":"progress","pct":50,"workflow_id":"spoof","seq":99,"ts":1,"note":"n"}"#).get()
        #expect(body.type == "progress")
        #expect(body.fields == ["pct": 50, "note": "n"])
        #expect(body.workflowStatus == nil)
    }

    @Test func stampedPayloadIsFlatAndReadsBack() {
        let e = WorkflowEvent(workflowID: "wf", seq: 3, ts: 1_700_000_000_123.5, body: .nodeUpdate(node: "n", status: .failed))
        #expect(e.payload.serialized == #"{"workflow_id":"wf","seq":3,"ts":1700000000123.5,"node":"n","status":"failed"}"#)
        #expect(e.apiJSON["type"] == "node_update")
        #expect(WorkflowEvent(name: "node_update", argument: e.payload) == e)
        #expect(WorkflowEvent(name: "x", argument: ["seq": 1]) == nil)
    }

    @Test func terminalStatuses() {
        #expect(WorkflowStatus.allCases.filter(\.isTerminal) == [.completed, .failed, .cancelled])
    }
}
