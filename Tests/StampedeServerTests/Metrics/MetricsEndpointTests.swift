import Foundation
import StampedeContract
import StampedeTestSupport
import Testing

@testable import StampedeServer

extension ServerSuites {
    /// Item 12 of issue 15: `/metrics` has latency histograms, labels instead of
    /// one name per dimension, `process_*` and build info, and stays clean under
    /// `promtool check metrics`.
    @Suite(.serialized) final class MetricsEndpointTests {
        private var h: HubServerHarness?

        /// Swift Testing makes one suite instance per test and releases it when the test
        /// ends; the async stop that XCTest's tearDown awaited runs behind it.
        deinit { Task { [h] in await h?.stop() } }

        @Test func testExpositionHasHelpTypeAndCumulativeHistograms() throws {
            let stats = ServerStats()
            for ns: Int64 in [50_000, 300_000, 300_000, 2_000_000_000, 60_000_000_000] {
                stats.eventDelivery.observe(nanoseconds: ns)
            }
            stats.httpDurations.observe(route: "/api/v1/workflows/{id}/events", status: 201, since: .now())
            stats.httpDurations.observe(route: "/health", status: 200, since: .now())
            let exporter = MetricsExporter(build: BuildInfo(version: "9.9.9", commit: "abc123"))
            let snapshot = StatsSnapshot(totalConnections: 3, transports: .init(websocket: 2, polling: 1))
            let text = String(decoding: exporter.render(snapshot, stats), as: UTF8.self)
            let m = try MetricsExposition(text)

            #expect(m.value("stampede_build_info", #"version="9.9.9",commit="abc123""#) == 1)
            #expect(m.value("stampede_connections", #"transport="websocket""#) == 2)
            #expect(m.value("stampede_connections", #"transport="polling""#) == 1)
            #expect(m.types["stampede_connections_websocket"] == nil, "one family with a transport label")
            m.checkHistogram("stampede_event_delivery_seconds")
            #expect(m.value("stampede_event_delivery_seconds_bucket", #"le="0.0001""#) == 1)
            #expect(m.value("stampede_event_delivery_seconds_bucket", #"le="0.0005""#) == 3)
            #expect(m.value("stampede_event_delivery_seconds_bucket", #"le="10""#) == 4)
            #expect(m.value("stampede_event_delivery_seconds_bucket", #"le="+Inf""#) == 5, "past the last bound: +Inf only")
            #expect(abs((m.value("stampede_event_delivery_seconds_sum") ?? 0) - (62.00065)) <= 1e-9)
            let routes = m.checkHistogram("stampede_http_request_duration_seconds")
            #expect(routes == [#"route="/api/v1/workflows/{id}/events",status="201""#, #"route="/health",status="200""#])
            m.checkHistogram("stampede_publish_duration_seconds")
            #expect(m.value("stampede_publish_duration_seconds_count") == 0, "an empty histogram still exposes its buckets")
        }

        @Test func testLabelValuesAreEscaped() {
            #expect(PrometheusTextWriter.labelSet([("a", #"x"y\z"#), ("b", "1\n2")]) == #"{a="x\"y\\z",b="1\n2"}"#)
            #expect(PrometheusTextWriter.number(3) == "3")
            #expect(PrometheusTextWriter.number(0.25) == "0.25")
        }

        @Test func testProcStatParsingSurvivesACommandNameWithSpacesAndParentheses() throws {
            // proc(5): pid (comm) state ppid … utime(14) stime(15) … starttime(22) vsize(23) rss(24)
            let fields = (3...24).map { n -> String in
                switch n {
                case 3: return "S"
                case 14: return "250"
                case 15: return "50"
                case 22: return "1000"
                case 23: return "104857600"
                case 24: return "2560"
                default: return "0"
                }
            }
            let stat = "4242 (my (odd) server) " + fields.joined(separator: " ") + " 0 0\n"
            let limits = "Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n"
            let p = try #require(ProcessMetrics.parse(stat: stat, bootTime: 1_700_000_000, ticksPerSecond: 100, pageSize: 4096,
                                                       openFDs: 12, limits: limits))
            #expect(p == ProcessMetrics(cpuSeconds: 3, residentBytes: 2560 * 4096, virtualBytes: 104_857_600,
                                             startTimeSeconds: 1_700_000_010, openFDs: 12, maxFDs: 1024))
            #expect(ProcessMetrics.parseBootTime("cpu 1 2 3\nbtime 1700000000\nprocesses 9\n") == 1_700_000_000)
            #expect(ProcessMetrics.parseMaxOpenFiles("Max open files            unlimited            unlimited            files\n") == nil)
        }

        /// A real server after real traffic: a subscribed socket, HTTP creates,
        /// publishes, a 404 with a raw id (which must not become a label).
        @Test func testScrapeAfterTrafficHasHistogramsAndPassesPromtool() async throws {
            let h = try await HubServerHarness.start()
            self.h = h
            let id = try await h.createWorkflow(owner: "alice")
            let (ws, _) = try await h.joinedWebSocket(user: "alice")
            try await ws.sendText(#"421["subscribe",{"workflow_id":"\#(id)"}]"#)
            _ = try await ws.nextText()  // the ack
            try await h.publish(id, count: 3, size: 10)
            var frames = 0
            while frames < 3, let t = try await ws.nextText(timeout: 5) { if t.hasPrefix("42[") { frames += 1 } }
            #expect(frames == 3)
            let missing = try await h.request("GET", "/api/v1/workflows/no-such-id-123", token: h.token("alice"))
            #expect(missing.status == 404)

            let scrape = try await h.request("GET", "/metrics")
            #expect(scrape.status == 200)
            let m = try MetricsExposition(scrape.text)
            #expect(m.value("stampede_event_delivery_seconds_count") ?? 0 >= 1, "delivery observed")
            #expect(m.value("stampede_publish_duration_seconds_count") == 1, "one accepted publish request")
            #expect(m.value("stampede_http_request_duration_seconds_count", #"route="/api/v1/workflows",status="202""#) == 1)
            #expect(m.value("stampede_http_request_duration_seconds_count", #"route="/api/v1/workflows/{id}",status="404""#) == 1)
            #expect(!(scrape.text.contains("no-such-id-123")), "raw ids never become labels")
            #expect(m.value("stampede_connections", #"transport="websocket""#) == 1)
            m.checkHistogram("stampede_http_request_duration_seconds")
            #if os(Linux)
            #expect(m.value("process_resident_memory_bytes") ?? 0 > 0)
            #expect(m.value("process_open_fds") ?? 0 > 0)
            #expect(m.value("process_start_time_seconds") ?? 0 > 1_600_000_000)
            #expect(m.value("process_cpu_seconds_total") != nil)
            #expect(m.value("process_virtual_memory_bytes") != nil)
            #endif

            guard let promtool = Promtool.path else {
                try Test.cancel("promtool is not installed (Debian package prometheus): the exposition was checked by hand only")
            }
            let lint = try Promtool.checkMetrics(scrape.text, promtool: promtool)
            #expect(lint.status == 0, "promtool check metrics:\n\(lint.output)\n--- scrape ---\n\(scrape.text)")
            #expect(lint.output.trimmingCharacters(in: .whitespacesAndNewlines) == "", "no lint findings")
        }
    }
}
