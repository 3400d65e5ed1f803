/// A table keyed by workflow id that keeps its first entry inside the owner (no heap storage),
/// the rest in a `Dictionary`.
///
/// Why: a virtual client follows one workflow, or a handful, and the receive path looks its
/// workflow up in three tables per delivered event (entitlement, last seq, live-since). With
/// 10,000 clients none of their dictionaries' storage is in cache when the next event arrives,
/// and each cold storage costs ~0.2-0.3 µs on this machine (BENCHMARKS §18) — more than the
/// rest of the event's own work. The inline entry is read with the client object; its key is
/// the same `String` the event carries (`ClientConnection.expectEvents(forWorkflow:)`), so the
/// comparison is by identity and reads no bytes. Correct for any key: equality decides, the
/// identity is only the fast path of `String ==`.
struct WorkflowMap<Value> {
    private var head: (key: String, value: Value)?
    private var rest: [String: Value] = [:]

    init() {}

    var isEmpty: Bool { head == nil && rest.isEmpty }
    var count: Int { (head == nil ? 0 : 1) + rest.count }
    var keys: [String] { (head.map { [$0.key] } ?? []) + rest.keys }

    subscript(key: String) -> Value? {
        get {
            if let head, head.key == key { return head.value }
            return rest.isEmpty ? nil : rest[key]
        }
        set {
            if let h = head, h.key == key {
                head = newValue.map { (key, $0) }
            } else if let newValue {
                if head == nil && (rest.isEmpty || rest[key] == nil) { head = (key, newValue) } else { rest[key] = newValue }
            } else if !rest.isEmpty {
                rest[key] = nil
            }
        }
    }

    func contains(_ key: String) -> Bool { self[key] != nil }

    mutating func removeAll() {
        head = nil
        rest.removeAll()
    }
}
