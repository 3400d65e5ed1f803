import StampedeAuth
import Foundation
import NIOCore
import StampedeClient
import StampedeJSON

/// Creates the scenario's workflows before any client starts, each for its owner, with a
/// service token; honours 429 Retry-After so setup never trips the create-rate limit.
enum WorkflowSetup {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static func create(_ s: Scenario, http: HTTPClient, tokens: TokenBook) async throws -> [String] {
        let assignment = ClientAssignment(scenario: s)
        var ids: [String] = []
        // The create limit is per user (the token's `sub`): a setup token per workflow keeps setup
        // off that limit, so a 10,000-workflow run does not spend minutes on 429s.
        let minter = tokens.minter
        for w in 0..<s.workflows.count {
            let setupToken = s.auth.serviceToken ?? (try? minter.mint(user: "stampede-setup-\(w)", role: .service, expiresIn: 600, audience: s.auth.audience)) ?? tokens.service
            let owner = s.auth.userID(assignment.ownerIndex(ofWorkflow: w))
            var body: JSONObject = ["type": .string(s.workflows.kind.rawValue), "user_id": .string(owner)]
            if s.workflows.kind == .search { body["query"] = .string(s.workflows.query) }
            var attempt = 0
            while true {
                attempt += 1
                let r = try await http.request("POST", "/api/v1/workflows",
                                               headers: [("Authorization", "Bearer \(setupToken)"), ("Content-Type", "application/json")],
                                               body: JSONValue.object(body).serializedBytes)
                if r.status == 202 || r.status == 201, let id = (try? r.json())?["workflow_id"]?.stringValue {
                    ids.append(id)
                    break
                }
                if r.status == 429 && attempt < 50 {
                    let wait = Double(r.header("Retry-After") ?? "1") ?? 1
                    try await Task.sleep(nanoseconds: UInt64(max(0.05, min(wait, 2)) * 1_000_000_000))
                    continue
                }
                throw Failure(description: "creating workflow \(w) for \(owner): HTTP \(r.status) \(r.text.prefix(200))")
            }
        }
        return ids
    }
}
