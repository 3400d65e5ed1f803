import StampedeConformance
import Testing

extension RawWebSocket {
    /// Sends `text` and expects the server to close the connection for it.
    package func assertClosed(after text: String, timeout: Double = 2, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await sendText(text)
        let closed = await waitClosed(timeout: timeout)
        #expect(closed, "still open after \(text)", sourceLocation: sourceLocation)
    }
}
