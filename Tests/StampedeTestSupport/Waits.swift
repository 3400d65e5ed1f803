/// True once `condition` holds, false when `seconds` pass first. For state that has
/// no event to await (a client's state, a recorder's calls, a server's registry):
/// the one polling wait of the tests; frames and bytes are awaited in `AsyncInbox`.
package func waitUntil(seconds: Double = 5, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return await condition()
}
