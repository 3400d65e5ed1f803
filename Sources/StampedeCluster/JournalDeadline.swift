/// Journal calls answer within a bound: while PostgreSQL is down the pool
/// waits for a connection indefinitely, and a publish must get its 503
/// (with Retry-After) rather than hang.
struct JournalUnavailable: Error, CustomStringConvertible {
    let operation: String
    var description: String { "PostgreSQL did not answer the \(operation) in time" }
}

@discardableResult
func withDeadline<T: Sendable>(_ operation: String, seconds: Double = 3,
                               _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw JournalUnavailable(operation: operation)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
