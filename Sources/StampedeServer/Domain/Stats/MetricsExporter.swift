import StampedeContract

/// `/metrics` in Prometheus text exposition. Every figure is read from its
/// owner at scrape time (the stats counters, the histograms, `/proc`), so
/// there is one copy of each number. Families that differ only by a
/// dimension carry a label (`transport`, `reason`, `route`/`status`)
/// instead of one name each; docs/OPERATIONS.md lists them all.
struct MetricsExporter: Sendable {
    let build: BuildInfo

    /// `notificationQueueUsage`: cluster mode only (a single node shows no
    /// PostgreSQL figure it has no reading of).
    func render(_ s: StatsSnapshot, _ stats: ServerStats, notificationQueueUsage: Double? = nil) -> [UInt8] {
        var w = PrometheusTextWriter()
        buildInfo(&w)
        gauges(&w, s)
        if let usage = notificationQueueUsage {
            w.single("stampede_postgres_notification_queue_usage", .gauge,
                     "pg_notification_queue_usage() at this node's last heartbeat (0-1; a stuck listener anywhere fills it)", usage)
        }
        counters(&w, s, stats)
        histograms(&w, stats)
        if let p = ProcessMetrics.current() { process(&w, p) }
        return Array(w.text.utf8)
    }

    private func buildInfo(_ w: inout PrometheusTextWriter) {
        w.family("stampede_build_info", .gauge, "Always 1; the labels name the running build")
        var labels: PrometheusTextWriter.Labels = [("version", build.version)]
        if let commit = build.commit { labels.append(("commit", commit)) }
        w.sample("stampede_build_info", labels, 1)
    }

    private func gauges(_ w: inout PrometheusTextWriter, _ s: StatsSnapshot) {
        w.family("stampede_connections", .gauge, "Authenticated Socket.IO sockets, by Engine.IO transport")
        w.sample("stampede_connections", [("transport", "websocket")], Double(s.transports.websocket))
        w.sample("stampede_connections", [("transport", "polling")], Double(s.transports.polling))
        w.single("stampede_unique_users", .gauge, "Distinct users with at least one socket", Double(s.uniqueUsers))
        w.single("stampede_active_workflows", .gauge, "Workflows with at least one subscriber", Double(s.activeWorkflows))
        w.single("stampede_running_workflows", .gauge, "Workflows whose status is running", Double(s.runningWorkflows))
        w.single("stampede_subscriptions", .gauge, "Socket subscriptions", Double(s.totalSubscriptions))
        w.single("stampede_uptime_seconds", .gauge, "Seconds since the server started", s.uptimeSeconds)
    }

    private func counters(_ w: inout PrometheusTextWriter, _ s: StatsSnapshot, _ stats: ServerStats) {
        w.single("stampede_events_published_total", .counter, "Workflow events appended to a log", Double(s.eventsPublished))
        w.single("stampede_events_delivered_total", .counter, "Event frames written to sockets", Double(s.eventsDelivered))
        w.single("stampede_rate_limited_total", .counter, "Requests refused by a rate limit", Double(s.rateLimited))
        w.single("stampede_auth_failures_total", .counter, "Refused CONNECTs", Double(s.authFailures))
        w.family("stampede_connections_closed_total", .counter,
                 "Connections the server closed, by reason: slow_consumer (outbound bound passed), write_stall (unsent output stayed past the bound), timeout (header, body or idle timeout)")
        w.sample("stampede_connections_closed_total", [("reason", "slow_consumer")], Double(s.slowConsumerDisconnects))
        w.sample("stampede_connections_closed_total", [("reason", "write_stall")],
                 Double(stats.writeStallCloses.load(ordering: .relaxed)))
        w.sample("stampede_connections_closed_total", [("reason", "timeout")],
                 Double(stats.connectionTimeouts.load(ordering: .relaxed)))
        w.single("stampede_idle_workflows_dropped_total", .counter, "Non-terminal workflows dropped after the idle retention",
                 Double(stats.idleWorkflowsDropped.load(ordering: .relaxed)))
    }

    private func histograms(_ w: inout PrometheusTextWriter, _ stats: ServerStats) {
        w.family("stampede_event_delivery_seconds", .histogram,
                 "Publish accepted to its frames written to the last subscriber on one event loop; one observation per publish and loop")
        w.histogram("stampede_event_delivery_seconds", [], stats.eventDelivery)
        w.family("stampede_publish_duration_seconds", .histogram,
                 "Handling time of accepted publish requests (POST /api/v1/workflows/{id}/events)")
        w.histogram("stampede_publish_duration_seconds", [], stats.publishDuration)
        w.family("stampede_http_request_duration_seconds", .histogram,
                 "HTTP API handling time by templated route and status")
        for (key, h) in stats.httpDurations.all() {
            w.histogram("stampede_http_request_duration_seconds", [("route", key.route), ("status", String(key.status))], h)
        }
    }

    private func process(_ w: inout PrometheusTextWriter, _ p: ProcessMetrics) {
        w.single("process_cpu_seconds_total", .counter, "Total user and system CPU time spent in seconds", p.cpuSeconds)
        w.single("process_resident_memory_bytes", .gauge, "Resident memory size in bytes", p.residentBytes)
        w.single("process_virtual_memory_bytes", .gauge, "Virtual memory size in bytes", p.virtualBytes)
        w.single("process_start_time_seconds", .gauge, "Start time of the process since unix epoch in seconds", p.startTimeSeconds)
        w.single("process_open_fds", .gauge, "Number of open file descriptors", p.openFDs)
        if let max = p.maxFDs { w.single("process_max_fds", .gauge, "Maximum number of open file descriptors", max) }
    }
}
