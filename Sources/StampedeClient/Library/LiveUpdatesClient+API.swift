import Foundation
import StampedeJSON

/// The HTTP API of PROTOCOL §7 with the client's token: start the work an
/// app then follows with `subscribe`.
extension LiveUpdatesClient {
    /// Starts the built-in search workflow (`POST /api/v1/workflows`
    /// `{"type":"search","query":…}`). Subscribe with `since: 0` to see it
    /// from its first event, wherever it is by then.
    public func startSearch(_ query: String) async throws -> TaskCard {
        try await createWorkflow(["type": "search", "query": .string(query)])
    }

    /// Creates a workflow whose events come from publishers
    /// (`{"type":"external"}`). A `service` token may create it for `userID`.
    public func createExternalWorkflow(forUser userID: String? = nil) async throws -> TaskCard {
        var body: JSONObject = ["type": "external"]
        if let userID { body["user_id"] = .string(userID) }
        return try await createWorkflow(body)
    }

    /// The task card with `status` and the latest `seq` (`GET /api/v1/workflows/{id}`).
    public func workflow(_ workflowID: String) async throws -> TaskCard {
        try await call("GET", "/api/v1/workflows/\(workflowID)", body: nil)
    }

    /// Stops a running workflow (the owner or a `service` token); its
    /// subscribers then receive `workflow_status` `cancelled`.
    public func cancelWorkflow(_ workflowID: String) async throws -> TaskCard {
        try await call("POST", "/api/v1/workflows/\(workflowID)/cancel", body: nil)
    }

    private func createWorkflow(_ body: JSONObject) async throws -> TaskCard {
        try await call("POST", "/api/v1/workflows", body: .object(body))
    }

    /// One request with a fresh token from the provider; a non-2xx answer
    /// becomes `StampedeAPIError` with the contract's code and message.
    private func call<T: Decodable>(_ method: String, _ path: String, body: JSONValue?) async throws -> T {
        let token = try await tokenProvider()
        let r = try await http.requestJSON(method, path, bearer: token, json: body?.serialized)
        guard (200..<300).contains(r.status) else {
            let error = (try? r.json())?["error"]
            throw StampedeAPIError(status: r.status, code: error?["code"]?.stringValue,
                                   message: error?["message"]?.stringValue ?? r.text,
                                   retryAfterSeconds: r.header("Retry-After").flatMap { Int($0) })
        }
        return try JSONValueDecoder().decode(T.self, from: r.body)
    }
}
