import StampedeContract
import StampedeJSON
import Testing

/// Byte-exact shapes as PROTOCOL §2, §3 and §7 write them (keys in that order).
@Suite struct RepliesShapeTests {
    @Test func subscribeAck() {
        #expect(Replies.subscribed(workflowID: "wf", latestSeq: 12, replayed: 3, truncated: false).serialized
            == #"{"ok":true,"workflow_id":"wf","seq":12,"replayed":3,"truncated":false}"#)
    }

    @Test func okAck() { #expect(Replies.ok.serialized == #"{"ok":true}"#) }

    @Test func refusedAck() {
        #expect(Replies.refused(.forbidden, "not yours").serialized
            == #"{"ok":false,"error":{"code":"forbidden","message":"not yours"}}"#)
        #expect(Replies.refused(.rateLimited, "slow down", retryAfterMs: 250).serialized
            == #"{"ok":false,"error":{"code":"rate_limited","message":"slow down","retry_after_ms":250}}"#)
    }

    @Test func unknownEventAckHasNoMessage() {
        #expect(Replies.unknownEvent.serialized == #"{"ok":false,"error":{"code":"unknown_event"}}"#)
    }

    @Test func errorEvent() {
        #expect(Replies.errorEvent(.tooManySubscriptions, "max 100").serialized
            == #"{"code":"too_many_subscriptions","message":"max 100"}"#)
        #expect(Replies.errorEvent(.rateLimited, "r", retryAfterMs: 10).serialized
            == #"{"code":"rate_limited","message":"r","retry_after_ms":10}"#)
    }

    @Test func connectErrors() {
        #expect(Replies.invalidNamespace.serialized == #"{"message":"Invalid namespace"}"#)
        #expect(AuthFailureCode.tokenExpired.connectErrorPayload.serialized
            == #"{"message":"unauthorized","data":{"code":"token_expired"}}"#)
        for code in AuthFailureCode.allCases {
            #expect(AuthFailureCode(connectErrorPayload: code.connectErrorPayload) == code)
        }
        #expect(AuthFailureCode(connectErrorPayload: ["message": "unauthorized"]) == nil)
    }

    @Test func codesAreTheContractsStrings() {
        #expect(Set(AuthFailureCode.allCases.map(\.rawValue)) == [
            "token_missing", "token_malformed", "token_invalid_signature", "token_expired",
            "token_not_yet_valid", "audience_mismatch", "too_many_connections",
        ])
        #expect(Set(RequestErrorCode.allCases.map(\.rawValue)) == [
            "invalid_request", "not_found", "forbidden", "too_many_subscriptions", "rate_limited", "unknown_event",
        ])
    }

    @Test func httpError() {
        #expect(Replies.httpError("not_found", "no such workflow").serialized
            == #"{"error":{"code":"not_found","message":"no such workflow"}}"#)
    }
}
