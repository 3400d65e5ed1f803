import Foundation
import StampedeBrowserSupport
import StampedeJSON
import StampedeServer
import Testing

/// The cards' state module (cards/workflow-store.js) exercised directly in
/// headless Chromium: the paths a live page rarely hits on demand —
/// duplicates from two delivery paths, a gap, a history that no longer
/// reaches back — each give the answer the live code relies on.
@Suite(.serialized) final class WorkflowStoreInBrowserTests {
    @Test func testDuplicatesAreDroppedGapsReportedAndTruncationShown() async throws {
        let browser = try HeadlessChromium()
        defer { browser.shutdown() }
        var c = ServerConfiguration()
        c.port = 0
        c.jwtSecret = "store-test-secret"
        let server = try await EmbeddedServer.start(c)
        let page = try await browser.openPage(server.baseURL + "/")
        try await page.waitFor("document.readyState === 'complete'", "the page")
        let r = try await page.evaluate("""
            (async () => {
              const { WorkflowCard } = await import('/assets/cards/workflow-store.js');
              const ev = (seq, type, extra) => Object.assign({ workflow_id: 'wf_1', seq, ts: 1000 + seq }, extra, { type });
              const c = new WorkflowCard({ workflow_id: 'wf_1', type: 'search', status: 'pending', user_id: 'u' });
              const out = {};
              out.first = c.apply('workflow_status', ev(1, 'workflow_status', { status: 'running' }));
              out.again = c.apply('workflow_status', ev(1, 'workflow_status', { status: 'running' }));
              out.gap = c.apply('node_update', ev(3, 'node_update', { node: 'n', status: 'completed' }));
              out.fill = c.apply('node_update', ev(2, 'node_update', { node: 'n', status: 'executing' }));
              out.after = c.apply('node_update', ev(3, 'node_update', { node: 'n', status: 'completed' }));
              // The polling view repeats everything: nothing applies twice.
              c.applyView({ status: 'running', seq: 3, events: [ev(1, 'workflow_status', { status: 'running' }),
                ev(2, 'node_update', { node: 'n', status: 'executing' }), ev(3, 'node_update', { node: 'n', status: 'completed' })] });
              out.seqs = c.seqs.join(',');
              out.duplicates = c.duplicates;
              out.transitions = c.steps.get('node:n').transitions.join(',');
              out.duration = c.steps.get('node:n').durationMs;
              // A view whose history starts past what the card has: jump, and say so.
              const t = new WorkflowCard({ workflow_id: 'wf_2', type: 'external', status: 'pending', user_id: 'u' });
              t.applyView({ status: 'completed', seq: 12, events: [ev(11, 'custom_thing', {}), ev(12, 'workflow_status', { status: 'completed' })] });
              out.truncated = [t.truncated, t.seqs.join(','), t.status, t.terminal];
              return out;
            })()
            """)
        #expect(r["first"] == "applied")
        #expect(r["again"] == "duplicate")
        #expect(r["gap"] == "gap", "seq 3 before 2: the live code resubscribes with since")
        #expect(r["fill"] == "applied")
        #expect(r["after"] == "applied")
        #expect(r["seqs"] == "1,2,3")
        #expect(r["duplicates"] == 4, "one live repeat and three from the polling view")
        #expect(r["transitions"] == "executing,completed")
        #expect(r["duration"] == 1)
        #expect(r["truncated"] == [true, "11,12", "completed", true])
        try await server.shutdown()
    }
}
