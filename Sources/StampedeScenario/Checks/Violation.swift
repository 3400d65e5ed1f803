/// One broken guarantee, as the report shows it: who, which workflow, what was expected and seen.
public struct Violation: Sendable, Equatable, CustomStringConvertible {
    public var check: CheckKind
    public var client: Int
    public var workflow: String?
    public var expected: String
    public var seen: String
    /// Seconds since the run's start.
    public var at: Double

    public var description: String {
        let w = workflow.map { " workflow \($0)" } ?? ""
        return String(format: "t=%.3fs client %d%@: expected %@, saw %@", at, client, w, expected, seen)
    }
}
