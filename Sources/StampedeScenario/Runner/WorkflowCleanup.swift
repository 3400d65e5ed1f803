import Foundation
import StampedeClient
import StampedeJSON

/// An interrupted run against an external server leaves nothing running behind it: every workflow
/// the run created is ended. External workflows get a terminal `workflow_status` `cancelled`
/// published (their events come only from publishers); search workflows are cancelled through
/// `POST /api/v1/workflows/{id}/cancel` (PROTOCOL §7). Best effort, bounded by the HTTP timeout.
enum WorkflowCleanup {
    /// How many of `ids` ended (or were already terminal: 409).
    static func end(_ ids: [String], kind: WorkflowSpec.Kind, http: HTTPClient, serviceToken: String) async -> Int {
        let headers = [("Authorization", "Bearer \(serviceToken)"), ("Content-Type", "application/json")]
        var ended = 0
        for id in ids {
            let r: HTTPResponse?
            switch kind {
            case .external:
                let event: JSONValue = ["type": "workflow_status", "status": "cancelled"]
                r = try? await http.request("POST", "/api/v1/workflows/\(id)/events", headers: headers, body: event.serializedBytes)
            case .search:
                r = try? await http.request("POST", "/api/v1/workflows/\(id)/cancel", headers: headers, body: Array("{}".utf8))
            }
            if let r, (200..<300).contains(r.status) || r.status == 409 { ended += 1 }
        }
        return ended
    }
}
