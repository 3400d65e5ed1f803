import Foundation
import StampedeAuth
import StampedeBrowserSupport
import StampedeJSON
import StampedeServer
import Testing

/// The task-cards page of `stampede serve` in headless Chromium: the page's
/// own Socket.IO client against the real server, through a proxy the test
/// can cut. Skips when chromium is absent (.ci/run installs it).
@Suite(.serialized) final class TaskCardsPageTests {
    var server: EmbeddedServer!
    var proxy: CuttableProxy!
    var browser: HeadlessChromium!

    static let steps = ["node:analyze_query", "tool:WebSearchTool", "node:synthesize"]

    /// `recovery: false` turns the server's connection state recovery off, so
    /// only the page's `since` resume can bring the missed steps back.
    func start(refusing: CuttableProxy.Refusal = .nothing, stepDelayMs: Int = 250, recovery: Bool = true) async throws {
        browser = try HeadlessChromium()
        var c = ServerConfiguration()
        c.port = 0
        c.stepDelayMs = stepDelayMs  // 9 steps: about 2 s per search, room for a cut in the middle
        // The default dev-secret: the page gets a dev token.
        server = try await EmbeddedServer.start(c) { c, group in
            var settings = HubSettings(c)
            settings.server.connectionStateRecovery = recovery
            let hub = try Hub(settings: settings, eventLoopGroup: group)
            try await hub.ready()
            return hub
        }
        proxy = try await CuttableProxy(targetPort: server.port, refusing: refusing)
    }

    /// Swift Testing makes one suite instance per test and releases it when the test ends:
    /// the browser closes now, the proxy and the server shut down behind it.
    deinit {
        browser?.shutdown()
        Task { [proxy, server] in
            try? await proxy?.shutdown()
            try? await server?.shutdown()
        }
    }

    var pageURL: String { "http://127.0.0.1:\(proxy.port)/" }

    /// What the page observed for its newest card.
    struct Observed: CustomStringConvertible {
        let json: JSONValue
        var status: String? { json["status"]?.stringValue }
        var seqs: String? { json["seqs"]?.stringValue }
        var transitions: [String: String] {
            Dictionary(uniqueKeysWithValues: (json["steps"]?.arrayValue ?? []).compactMap { s in
                s["step"]?.stringValue.map { ($0, s["transitions"]?.stringValue ?? "") }
            })
        }
        var results: Int { Int(json["results"]?.stringValue ?? "") ?? 0 }
        var description: String { json.serialized }
    }

    static let observeNewestCard = """
        (() => { const c = document.querySelector('.card'); if (!c) return null;
          return { id: c.dataset.workflowId, status: c.dataset.status, seqs: c.dataset.seqs,
                   duplicates: c.dataset.duplicates, results: c.querySelector('.results').dataset.count || '0',
                   resultsShown: !c.querySelector('.results').hidden,
                   steps: [...c.querySelectorAll('.step')].map(s => ({ step: s.dataset.step, transitions: s.dataset.transitions })) };
        })()
        """

    func observe(_ page: ChromiumPage) async throws -> Observed { Observed(json: try await page.evaluate(Self.observeNewestCard)) }

    func openConnectedPage(_ query: String = "") async throws -> ChromiumPage {
        let page = try await browser.openPage(pageURL + query)
        try await page.waitFor("document.body.dataset.connection === 'connected' && document.body.dataset.ready", "the page to connect")
        return page
    }

    func search(_ page: ChromiumPage, _ query: String) async throws {
        try await page.evaluate("""
            document.getElementById('query').value = \(JSONValue.string(query).serialized);
            document.getElementById('search').requestSubmit(); true
            """)
        try await page.waitFor("document.querySelector('.card') && document.querySelector('.card .query').textContent === \(JSONValue.string(query).serialized)",
                               "the card of \(query)")
    }

    func assertCompletedOnce(_ o: Observed, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(o.status == "completed", "\(o)", sourceLocation: sourceLocation)
        #expect(o.seqs == (1...9).map(String.init).joined(separator: ","), "every event applied once, in order: \(o)", sourceLocation: sourceLocation)
        #expect(o.transitions == Dictionary(uniqueKeysWithValues: Self.steps.map { ($0, "executing,completed") }), "each step shown once, with each state once: \(o)", sourceLocation: sourceLocation)
        #expect(o.results > 0, "results shown: \(o)", sourceLocation: sourceLocation)
        #expect(o.json["resultsShown"] == true, sourceLocation: sourceLocation)
    }

    func screenshotDirectory() -> URL {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["STAMPEDE_SCREENSHOT_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        if env["CI"] == "true" { return PagesTestPaths.repositoryRoot.appendingPathComponent("reports/ci") }
        return FileManager.default.temporaryDirectory
    }

    @Test func testASearchStartedInThePageCompletesWithResults() async throws {
        try await start()
        let page = try await openConnectedPage()
        let token = try await page.evaluate("document.getElementById('token').value").stringValue ?? ""
        #expect(token.split(separator: ".").count == 3, "the dev-secret server prefills a development token")
        try await search(page, "swift nio")
        try await page.waitFor("document.querySelector('.card').dataset.status === 'completed'", "the card to complete")
        assertCompletedOnce(try await observe(page))
        let v1 = try await page.evaluate("document.body.dataset.transport")
        #expect(v1 == "websocket")
        // The stats strip reads /api/v1/websocket/stats.
        try await page.waitFor("document.querySelector('[data-stat=total_connections]').textContent === '1'", "the stats strip")
        #expect(page.exceptions == [])
    }

    @Test func testTheCardCompletesWithEveryStepOnceAcrossAConnectionDrop() async throws {
        try await dropMidWorkflow(recovery: true, screenshot: "task-card-finished.png")
    }

    /// Without connection state recovery the reconnect is a new session: only `since` brings the steps back.
    @Test func testWithoutRecoveryTheSinceResumeStillCompletesTheCard() async throws {
        try await dropMidWorkflow(recovery: false, screenshot: nil)
    }

    func dropMidWorkflow(recovery: Bool, screenshot: String?) async throws {
        try await start(recovery: recovery)
        let page = try await openConnectedPage()
        try await search(page, "drop me midway")
        // Mid-workflow: after the first node finished, cut the network for 0.8 s.
        try await page.waitFor("(document.querySelector('.card').dataset.seqs || '').split(',').length >= 3", "three steps")
        proxy.cut(refusingFor: 0.8)
        try await page.waitFor("document.body.dataset.connection !== 'connected'", timeout: 5, "the page to notice the drop")
        let seenAtDrop = try await observe(page).seqs?.split(separator: ",").count ?? 0
        #expect(seenAtDrop < 9, "the drop came mid-workflow")
        try await page.waitFor("document.querySelector('.card').dataset.status === 'completed'", timeout: 30, "the card to complete after the drop")
        let finished = try await observe(page)
        assertCompletedOnce(finished)
        try await page.waitFor("document.body.dataset.connection === 'connected'", "the page to reconnect")
        let recovered = try await page.evaluate("document.body.dataset.recovered")
        #expect(recovered == .string(String(recovery)), "which path brought the session back")
        let resumes = Int(try await page.evaluate("document.body.dataset.resumes").stringValue ?? "") ?? 0
        #expect(resumes >= 2, "resumed with since after the reconnect")
        let before = finished.seqs
        try await Task.sleep(nanoseconds: 300_000_000)
        let after = try await observe(page).seqs
        #expect(after == before, "nothing arrives after the terminal status")
        #expect(page.exceptions == [])
        guard let screenshot else { return }
        // The screenshot CI keeps with its artifacts (reports/ci/ under .ci/run).
        let shot = screenshotDirectory().appendingPathComponent(screenshot)
        try await page.screenshot(to: shot)
        let png = try Data(contentsOf: shot)
        #expect(Array(png.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
    }

    @Test func testWithoutWebSocketsThePageLongPolls() async throws {
        try await start(refusing: .webSockets, stepDelayMs: 50)
        let page = try await openConnectedPage()
        let v3 = try await page.evaluate("document.body.dataset.transport")
        #expect(v3 == "polling")
        try await search(page, "over long-polling")
        try await page.waitFor("document.querySelector('.card').dataset.status === 'completed'", "the card to complete over polling")
        assertCompletedOnce(try await observe(page))
        #expect(page.exceptions == [])
    }

    /// No Socket.IO at all (both transports refused): the card still completes from GET /api/v1/workflows/{id}.
    @Test func testWhileSocketsAreDownTheCardFollowsThePollingEndpoint() async throws {
        try await start(refusing: .engineIO, stepDelayMs: 150)
        let page = try await browser.openPage(pageURL)
        try await page.waitFor("document.body.dataset.ready && ['reconnecting', 'offline'].includes(document.body.dataset.connection)",
                               "the page to find sockets unavailable")
        try await search(page, "no sockets here")
        try await page.waitFor("document.querySelector('.card').dataset.status === 'completed'", timeout: 30, "the card to complete by polling")
        assertCompletedOnce(try await observe(page))
        let state = try await page.evaluate("document.body.dataset.connection")
        #expect(state != "connected", "it never had a socket")
        #expect(page.exceptions == [])
    }

    /// A workflow fed by a publisher: the page restores it from storage, follows it live, and shows its failure.
    @Test func testAFailedWorkflowShowsItsErrorAndEnds() async throws {
        try await start()
        let service = try TokenMinter(secret: "dev-secret").mint(user: "publisher", role: .service)
        let created = try await PagesHTTP.post(port: server.port, path: "/api/v1/workflows", token: service,
                                               body: #"{"type":"external","user_id":"dev","query":"fed from outside"}"#)
        let id = try JSONParser.parse(created)["workflow_id"]!.stringValue!
        let page = try await openConnectedPage()
        try await page.evaluate("localStorage.setItem('stampede.cards.dev', JSON.stringify([\(JSONValue.string(id).serialized)])); location.reload(); true")
        try await Task.sleep(nanoseconds: 300_000_000)
        try await page.waitFor("document.querySelector('.card') && document.body.dataset.connection === 'connected'", "the restored card")
        try await page.waitFor("document.body.dataset.resumes === '1'", "the card's subscription")
        for event in [#"{"type":"workflow_status","status":"running"}"#,
                      #"{"type":"tool_update","tool":"Fetcher","status":"executing"}"#,
                      #"{"type":"tool_update","tool":"Fetcher","status":"failed","message":"upstream 502"}"#,
                      #"{"type":"workflow_status","status":"failed","error":"the fetch failed"}"#] {
            _ = try await PagesHTTP.post(port: server.port, path: "/api/v1/workflows/\(id)/events", token: service, body: event)
        }
        try await page.waitFor("document.querySelector('.card').dataset.status === 'failed'", "the card to fail")
        let o = try await observe(page)
        #expect(o.seqs == "1,2,3,4", "\(o)")
        #expect(o.transitions == ["tool:Fetcher": "executing,failed"])
        let shown = try await page.evaluate("(() => { const e = document.querySelector('.card .error'); return e.hidden ? '' : e.textContent; })()")
        #expect(shown == "the fetch failed")
        let cancelHidden = try await page.evaluate("document.querySelector('.card .cancel').hidden")
        #expect(cancelHidden == true, "a terminal card offers no cancel")
        #expect(page.exceptions == [])
    }

    @Test func testCancelFromTheCardEndsTheWorkflow() async throws {
        try await start(stepDelayMs: 400)
        let page = try await openConnectedPage()
        try await search(page, "cancel this one")
        try await page.waitFor("document.querySelector('.card').dataset.status === 'running'", "the search to run")
        try await page.evaluate("document.querySelector('.card .cancel').click(); true")
        try await page.waitFor("document.querySelector('.card').dataset.status === 'cancelled'", "the card to show cancelled")
        let o = try await observe(page)
        #expect(o.seqs?.split(separator: ",").count ?? 99 < 9, "the run stopped early: \(o)")
        let v4 = try await page.evaluate("document.querySelector('.card .cancel').hidden")
        #expect(v4 == true)
    }

    @Test func testOtherUsersCardsNeverAppear() async throws {
        try await start(stepDelayMs: 10)
        // Mallory's workflow, and the page told (through its storage) to show it to `dev`.
        let minter = TokenMinter(secret: "dev-secret")
        let mallory = try minter.mint(user: "mallory")
        let http = try await PagesHTTP.post(port: server.port, path: "/api/v1/workflows", token: mallory, body: #"{"type":"search","query":"private"}"#)
        let id = try JSONParser.parse(http)["workflow_id"]!.stringValue!
        let page = try await openConnectedPage()
        try await page.evaluate("localStorage.setItem('stampede.cards.dev', JSON.stringify([\(JSONValue.string(id).serialized)])); location.reload(); true")
        try await Task.sleep(nanoseconds: 300_000_000)
        try await page.waitFor("document.body.dataset.connection === 'connected' && document.body.dataset.ready", "the reloaded page")
        let v5 = try await page.evaluate("document.querySelectorAll('.card').length")
        #expect(v5 == 0)
        // And dev's own search shows only dev's card.
        try await search(page, "mine")
        try await page.waitFor("document.querySelector('.card').dataset.status === 'completed'", "dev's card")
        let v6 = try await page.evaluate("document.querySelectorAll('.card').length")
        #expect(v6 == 1)
    }
}
