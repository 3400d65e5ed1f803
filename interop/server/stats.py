"""Counters behind GET /api/v1/websocket/stats (PROTOCOL.md §7)."""
import time


class Stats:
    def __init__(self):
        self.started = time.monotonic()
        self.events_published = 0
        self.events_delivered = 0
        self.rate_limited = 0
        self.auth_failures = 0

    def snapshot(self, sessions, store, transport_of):
        transports = {"websocket": 0, "polling": 0}
        for sid in sessions:
            t = transport_of(sid)
            if t in transports:
                transports[t] += 1
        workflows = list(store.workflows.values())
        return {
            "total_connections": len(sessions),
            "unique_users": len({s.principal.user_id for s in sessions.values()}),
            "active_workflows": sum(1 for w in workflows if w.subscribers),
            "total_subscriptions": sum(len(s.subscriptions) for s in sessions.values()),
            "running_workflows": sum(1 for w in workflows if w.status == "running"),
            "transports": transports,
            "events_published": self.events_published,
            "events_delivered": self.events_delivered,
            "rate_limited": self.rate_limited,
            "auth_failures": self.auth_failures,
            # python-engineio has no bounded outbound queue to watch (see DIVERGENCES.md).
            "slow_consumer_disconnects": 0,
            "uptime_seconds": round(time.monotonic() - self.started, 3),
        }
