import StampedeJSON

extension ClientConnection {
    /// `emit` with an ack, awaited: for tests and orchestration code, never
    /// for the per-message hot path.
    public func request(_ event: String, _ args: [JSONValue]) async throws -> [JSONValue] {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<[JSONValue], Error>) in
            emit(event, args) { result in cont.resume(with: result.mapError { $0 as Error }) }
        }
    }
}
