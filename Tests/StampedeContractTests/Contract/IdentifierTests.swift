import StampedeContract
import Testing

@Suite struct WorkflowIDTests {
    @Test(arguments: ["a", "wf_1", "A.b:c-d_e", "0", String(repeating: "x", count: 128), "search:2026-11-24.001"])
    func valid(_ id: String) { #expect(WorkflowID.isValid(id)) }

    @Test(arguments: ["", String(repeating: "x", count: 129), "a b", "a/b", "é", "wf#1", "a\n", "a,b", "\u{0}"])
    func invalid(_ id: String) { #expect(!WorkflowID.isValid(id)) }
}

@Suite struct EventTypeNameTests {
    @Test(arguments: ["a", "progress", "step_2", "x" + String(repeating: "y", count: 63)])
    func validCustom(_ name: String) { #expect(EventTypeName.isValidCustom(name)) }

    @Test(arguments: ["", "Progress", "2step", "_x", "a-b", "a.b", "x" + String(repeating: "y", count: 64), "ümlaut"])
    func invalidShape(_ name: String) { #expect(!EventTypeName.isValidCustom(name)) }

    /// Socket.IO's own event names and the contract's request names cannot be published.
    @Test(arguments: ["connect", "connect_error", "disconnect", "disconnecting", "error", "subscribe", "unsubscribe", "message"])
    func reserved(_ name: String) { #expect(!EventTypeName.isValidCustom(name)) }

    @Test func builtInsAreTheFourOfTheContract() {
        #expect(EventTypeName.builtIn == ["node_update", "tool_update", "search_results", "workflow_status"])
    }
}
