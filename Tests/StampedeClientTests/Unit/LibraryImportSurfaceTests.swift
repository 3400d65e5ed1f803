// Only the library's own module: everything an app needs must be reachable
// from `import StampedeClient` alone (issue 15, item 13).
import Foundation
import StampedeClient
import Testing

@Suite struct LibraryImportSurfaceTests {
    @Test func builtInEventsDecodeToTheirTypes() throws {
        func update(_ type: String, _ json: String) throws -> WorkflowUpdate {
            try WorkflowUpdate(type: type, json: Data(json.utf8))
        }
        let node = try update("node_update", #"{"workflow_id":"w","seq":1,"ts":1700000000000,"node":"analyze_query","status":"executing"}"#)
        #expect(node.payload == .nodeUpdate(try JSONDecoder().decode(NodeUpdate.self, from: Data(#"{"node":"analyze_query","status":"executing"}"#.utf8))))
        guard case .nodeUpdate(let n) = node.payload else { Issue.record("not a node_update"); return }
        #expect(n.node == "analyze_query" && n.status == StepStatus.executing && n.message == nil)
        #expect(node.date == Date(timeIntervalSince1970: 1_700_000_000))

        let tool = try update("tool_update", #"{"workflow_id":"w","seq":2,"ts":0,"tool":"WebSearchTool","status":"completed","message":"Found 3 results","execution_time_ms":12.5}"#)
        guard case .toolUpdate(let t) = tool.payload else { Issue.record("not a tool_update"); return }
        #expect(t.tool == "WebSearchTool" && t.executionTimeMs == 12.5 && t.message == "Found 3 results")

        let results = try update("search_results", #"{"workflow_id":"w","seq":3,"ts":0,"query":"q","results":[{"title":"T","url":"https://x","snippet":"S"}],"synthesis":"sum"}"#)
        guard case .searchResults(let r) = results.payload else { Issue.record("not search_results"); return }
        #expect(r.results.map(\.title) == ["T"] && r.synthesis == "sum")

        let status = try update("workflow_status", #"{"workflow_id":"w","seq":4,"ts":0,"status":"failed","error":"boom"}"#)
        guard case .workflowStatus(let s) = status.payload else { Issue.record("not workflow_status"); return }
        #expect(s.status == WorkflowStatus.State.failed && s.error == "boom" && status.isTerminal)
    }

    struct DeployStep: Decodable, Equatable {
        var stage: String
        var percent: Int
    }

    @Test func customTypesKeepTheirRawJSON() throws {
        let u = try WorkflowUpdate(type: "deploy_step", json: Data(#"{"workflow_id":"w","seq":7,"ts":0,"stage":"build","percent":40}"#.utf8))
        #expect(u.payload == .custom(type: "deploy_step"))
        #expect(try u.decode(DeployStep.self) == DeployStep(stage: "build", percent: 40))
        #expect(u.seq == 7 && u.workflowID == "w" && !u.isTerminal)
    }

    @Test func aBuiltInTypeThatDoesNotDecodeStaysReachableAsCustom() throws {
        let u = try WorkflowUpdate(type: "node_update", json: Data(#"{"workflow_id":"w","seq":1,"ts":0,"status":"weird"}"#.utf8))
        #expect(u.payload == .custom(type: "node_update"))
    }

    @Test func theLibraryTypesAreNamedApartFromTheModule() async throws {
        // `StampedeClient.X` qualification works: no type shadows the module.
        let options = StampedeClient.StampedeClientOptions()
        #expect(options.subscriptionBufferLimit == 1000)
        let client = try StampedeClient.LiveUpdatesClient(url: "http://127.0.0.1:9", token: "t")
        #expect(client.state == .idle)
        await client.close()
    }
}
