import NIOConcurrencyHelpers
import Prometheus
import StampedeContract

/// `/metrics` in Prometheus text exposition. Figures are read from the
/// stats counters at scrape time (one owner of each number); cumulative
/// ones become Prometheus counters by adding what changed since the last
/// scrape.
final class MetricsExporter: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let gauges: [String: Gauge]
    private let counters: [String: Counter]
    private let last = NIOLockedValueBox<[String: Int]>([:])

    init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        func g(_ n: String, _ help: String) -> (String, Gauge) { (n, registry.makeGauge(name: "stampede_" + n, help: help)) }
        func c(_ n: String, _ help: String) -> (String, Counter) { (n, registry.makeCounter(name: "stampede_" + n + "_total", help: help)) }
        gauges = Dictionary(uniqueKeysWithValues: [
            g("connections", "Authenticated Socket.IO sockets"),
            g("connections_websocket", "Sockets on the WebSocket transport"),
            g("connections_polling", "Sockets on the long-polling transport"),
            g("unique_users", "Distinct users with at least one socket"),
            g("active_workflows", "Workflows with at least one subscriber"),
            g("running_workflows", "Workflows whose status is running"),
            g("subscriptions", "Socket subscriptions"),
            g("uptime_seconds", "Seconds since the server started"),
        ])
        counters = Dictionary(uniqueKeysWithValues: [
            c("events_published", "Workflow events appended to a log"),
            c("events_delivered", "Event frames written to sockets"),
            c("rate_limited", "Requests refused by a rate limit"),
            c("auth_failures", "Refused CONNECTs"),
            c("slow_consumer_disconnects", "Sockets closed for passing the outbound bound"),
            c("connection_timeouts", "HTTP connections closed by the header, body or idle timeout"),
            c("write_stall_closes", "Connections closed because their unsent output stayed past the bound"),
            c("idle_workflows_dropped", "Non-terminal workflows dropped after the idle retention"),
        ])
    }

    func render(_ s: StatsSnapshot, connectionCounters c: [String: Int] = [:]) -> [UInt8] {
        gauges["connections"]!.set(Double(s.totalConnections))
        gauges["connections_websocket"]!.set(Double(s.transports.websocket))
        gauges["connections_polling"]!.set(Double(s.transports.polling))
        gauges["unique_users"]!.set(Double(s.uniqueUsers))
        gauges["active_workflows"]!.set(Double(s.activeWorkflows))
        gauges["running_workflows"]!.set(Double(s.runningWorkflows))
        gauges["subscriptions"]!.set(Double(s.totalSubscriptions))
        gauges["uptime_seconds"]!.set(s.uptimeSeconds)
        let totals = ["events_published": s.eventsPublished, "events_delivered": s.eventsDelivered,
                      "rate_limited": s.rateLimited, "auth_failures": s.authFailures,
                      "slow_consumer_disconnects": s.slowConsumerDisconnects].merging(c) { a, _ in a }
        last.withLockedValue { last in
            for (name, value) in totals {
                let delta = value - last[name, default: 0]
                if delta > 0 { counters[name]!.increment(by: Int64(delta)) }
                last[name] = max(value, last[name, default: 0])
            }
        }
        return registry.emitToBuffer()
    }
}
