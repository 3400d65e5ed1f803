import StampedeJSON

/// Codes a request can be refused with (PROTOCOL §3, §6).
public enum RequestErrorCode: String, Sendable, CaseIterable {
    case invalidRequest = "invalid_request"
    case notFound = "not_found"
    case forbidden
    case tooManySubscriptions = "too_many_subscriptions"
    case rateLimited = "rate_limited"
    case unknownEvent = "unknown_event"
}

/// Codes of a refused CONNECT (PROTOCOL §2).
public enum AuthFailureCode: String, Sendable, CaseIterable, Error {
    case tokenMissing = "token_missing"
    case tokenMalformed = "token_malformed"
    case tokenInvalidSignature = "token_invalid_signature"
    case tokenExpired = "token_expired"
    case tokenNotYetValid = "token_not_yet_valid"
    case audienceMismatch = "audience_mismatch"
    case tooManyConnections = "too_many_connections"

    /// `{"message":"unauthorized","data":{"code":CODE}}`
    public var connectErrorPayload: JSONValue {
        ["message": "unauthorized", "data": ["code": .string(rawValue)]]
    }

    public init?(connectErrorPayload p: JSONValue) {
        guard let c = p["data"]?["code"]?.stringValue else { return nil }
        self.init(rawValue: c)
    }
}

public enum Replies {
    public static let invalidNamespace: JSONValue = ["message": "Invalid namespace"]

    /// `{"ok":true,"workflow_id":ID,"seq":LATEST,"replayed":N,"truncated":BOOL}`
    public static func subscribed(workflowID: String, latestSeq: Int64, replayed: Int, truncated: Bool) -> JSONValue {
        ["ok": true, "workflow_id": .string(workflowID), "seq": .int(latestSeq),
         "replayed": .int(Int64(replayed)), "truncated": .bool(truncated)]
    }

    public static let ok: JSONValue = ["ok": true]

    /// `{"ok":false,"error":{"code":C,"message":TEXT}}` (+ `retry_after_ms`).
    public static func refused(_ code: RequestErrorCode, _ message: String, retryAfterMs: Int? = nil) -> JSONValue {
        var e: JSONObject = ["code": .string(code.rawValue), "message": .string(message)]
        if let retryAfterMs { e["retry_after_ms"] = .int(Int64(retryAfterMs)) }
        return ["ok": false, "error": .object(e)]
    }

    /// The unknown-event ack is exactly `{"ok":false,"error":{"code":"unknown_event"}}`.
    public static let unknownEvent: JSONValue = ["ok": false, "error": ["code": "unknown_event"]]

    /// The `error` event argument for a refused request without an ack id.
    public static func errorEvent(_ code: RequestErrorCode, _ message: String, retryAfterMs: Int? = nil) -> JSONValue {
        var e: JSONObject = ["code": .string(code.rawValue), "message": .string(message)]
        if let retryAfterMs { e["retry_after_ms"] = .int(Int64(retryAfterMs)) }
        return .object(e)
    }

    /// HTTP API error body `{"error":{"code":C,"message":TEXT}}`.
    public static func httpError(_ code: String, _ message: String) -> JSONValue {
        ["error": ["code": .string(code), "message": .string(message)]]
    }
}

/// A parsed `subscribe` request.
public struct SubscribeRequest: Sendable, Equatable {
    public var workflowID: String
    public var since: Int64?
    /// JavaScript's largest exact integer: no seq a client saw can be above
    /// it, and keeping `since` this far from `Int64.max` keeps every
    /// `since + 1` in range.
    public static let maxSince: Int64 = 9_007_199_254_740_991

    public init(workflowID: String, since: Int64? = nil) {
        self.workflowID = workflowID
        self.since = since
    }

    public static func parse(_ args: [JSONValue]) -> Result<SubscribeRequest, ContractViolation> {
        guard let obj = args.first?.objectValue else { return .failure(.init("expected {\"workflow_id\": ID}")) }
        guard let id = obj["workflow_id"]?.stringValue, WorkflowID.isValid(id) else {
            return .failure(.init("workflow_id must be 1–128 characters of [A-Za-z0-9_.:-]"))
        }
        var since: Int64?
        if let s = obj["since"], !s.isNull {
            guard let n = s.intValue, n >= 0, n <= SubscribeRequest.maxSince else {
                return .failure(.init("since must be an integer from 0 to \(SubscribeRequest.maxSince)"))
            }
            since = n
        }
        return .success(.init(workflowID: id, since: since))
    }

    public var json: JSONValue {
        var o: JSONObject = ["workflow_id": .string(workflowID)]
        if let since { o["since"] = .int(since) }
        return .object(o)
    }
}

public struct UnsubscribeRequest: Sendable, Equatable {
    public var workflowID: String
    public static func parse(_ args: [JSONValue]) -> Result<UnsubscribeRequest, ContractViolation> {
        guard let id = args.first?["workflow_id"]?.stringValue, WorkflowID.isValid(id) else {
            return .failure(.init("workflow_id must be 1–128 characters of [A-Za-z0-9_.:-]"))
        }
        return .success(.init(workflowID: id))
    }
}
