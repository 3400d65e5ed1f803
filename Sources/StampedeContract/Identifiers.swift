/// Validation of the identifiers PROTOCOL.md constrains.
public enum WorkflowID {
    /// 1–128 characters of `[A-Za-z0-9_.:-]` (PROTOCOL §3).
    public static func isValid(_ id: String) -> Bool {
        let u = id.utf8
        guard (1...128).contains(u.count) else { return false }
        for b in u {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."),
                 UInt8(ascii: ":"), UInt8(ascii: "-"):
                continue
            default:
                return false
            }
        }
        return true
    }
}

/// Names of events published through the HTTP API (PROTOCOL §4).
public enum EventTypeName {
    public static let builtIn: Set<String> = ["node_update", "tool_update", "search_results", "workflow_status"]
    /// Names the contract itself uses on the socket and so cannot be published.
    public static let contractReserved: Set<String> = ["error", "subscribe", "unsubscribe", "message"]

    /// `^[a-z][a-z0-9_]{0,63}$` and not a Socket.IO reserved name.
    public static func isValidCustom(_ name: String) -> Bool {
        let u = Array(name.utf8)
        guard (1...64).contains(u.count), (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(u[0]) else { return false }
        for b in u.dropFirst() {
            let ok = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
                || b == UInt8(ascii: "_")
            if !ok { return false }
        }
        let socketIOReserved: Set<String> = ["connect", "connect_error", "disconnect", "disconnecting"]
        return !socketIOReserved.contains(name) && !contractReserved.contains(name)
    }
}

/// Client → server request names (PROTOCOL §3).
public enum RequestName {
    public static let subscribe = "subscribe"
    public static let unsubscribe = "unsubscribe"
    /// Server → client: a refused request that asked for no ack.
    public static let error = "error"
}
