#!/usr/bin/env python3
"""Figures from one benchmark run directory (written by bench-lib.sh's run_load):
report.json from `stampede run` plus the RSS samples of server and generator.
Prints one JSON object. Steady-state RSS is the median over the steady phase
(minus its first 3 s, when the last connections' buffers settle), so one
allocation spike does not decide the per-connection figure."""
import json
import statistics
import os
import sys
from datetime import datetime


CLK_TCK = os.sysconf("SC_CLK_TCK")


def epoch(iso):
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


fds = {}


def samples(path):
    out = []
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2:
                    out.append((float(parts[0]), int(parts[1]), int(parts[2]) if len(parts) > 2 else None))
                    if len(parts) > 3:
                        fds.setdefault(path, []).append(int(parts[3]))
    except FileNotFoundError:
        pass
    return out


def main(run_dir, clients):
    report = json.load(open(f"{run_dir}/report.json"))
    phases = report.get("phases", [])
    steady = next((p for p in phases if p["name"] == "steady"), phases[-1] if phases else None)
    s0, s1 = (epoch(steady["start"]), epoch(steady["end"])) if steady else (0, float("inf"))
    run0 = epoch(phases[0]["start"]) if phases else 0

    def in_steady(rows):
        return [kb for t, kb, _ in rows if s0 + 3 <= t <= s1 - 1] or [kb for t, kb, _ in rows]

    def cpu_percent(rows, a, b):
        """CPU of one process between run seconds a and b, in % of one core."""
        w = [(t, c) for t, _, c in rows if c is not None and a <= t <= b]
        if len(w) < 2 or w[-1][0] <= w[0][0]:
            return None
        return round((w[-1][1] - w[0][1]) / CLK_TCK / (w[-1][0] - w[0][0]) * 100, 1)

    server = samples(f"{run_dir}/server-rss.txt")
    idle = samples(f"{run_dir}/server-idle-rss.txt")
    gen = samples(f"{run_dir}/generator-rss.txt")
    series = report.get("time_series", [])
    conns = [s.get("connections", 0) for s in series]
    peak = max(conns) if conns else 0
    server_conns = max((s.get("server_connections") or 0 for s in series), default=0)
    steady_secs = [s for s in series if s0 - run0 + 1 <= s["t"] <= s1 - run0]
    eps = [s["events_per_second"] for s in steady_secs if s["events_per_second"] > 0]
    ramp_rates = [b - a for a, b in zip([0] + conns, conns)]
    metrics = report.get("metrics", {})
    ordering = next((c for c in report.get("checks", []) if c["name"] == "ordering"), None)
    counters = report.get("counters", {})
    out = {
        "clients": clients,
        "peak_connections": peak,
        "peak_server_connections": server_conns or None,
        "exit_code": report.get("exit_code"),
        "verdict": report.get("verdict"),
        "errors": sum(report.get("errors_by_code", {}).values()),
        "errors_by_code": report.get("errors_by_code", {}),
        "events_received": counters.get("events_received", 0),
        "events_published": counters.get("events_published", 0),
        "deliveries_per_s_median": statistics.median(eps) if eps else 0,
        "deliveries_per_s_max": max(eps) if eps else 0,
        "connect_rate_peak_per_s": max(ramp_rates) if ramp_rates else 0,
        "ordering_observations": ordering["details"].get("observations") if ordering else None,
        "ordering_passed": ordering["passed"] if ordering else None,
        "generator_health": report.get("generator_health"),
    }
    for who in ("server", "generator"):
        seen = fds.get(f"{run_dir}/{who}-rss.txt")
        if seen:
            out[f"{who}_fds_peak"] = max(seen)
    for edge in ("start", "end"):
        try:
            out[f"loadavg_{edge}"] = open(f"{run_dir}/loadavg-{edge}.txt").read().strip()
        except FileNotFoundError:
            pass
    for m in ("event_delivery", "publish", "connect", "subscribe_ack"):
        if m in metrics:
            out[m] = {k: metrics[m][k] for k in ("count", "p50", "p99", "max")}
    if idle and server:
        steady_kb = statistics.median(in_steady(server))
        out["server_rss_idle_kb"] = idle[0][1]
        out["server_rss_steady_kb"] = steady_kb
        out["server_rss_peak_kb"] = max(kb for _, kb, _ in server)
        n = server_conns or peak or clients
        out["server_cpu_steady_pct"] = cpu_percent(server, s0, s1)
        out["server_cpu_ramp_pct"] = cpu_percent(server, run0, s0)
        out["server_kb_per_connection"] = round((steady_kb - idle[0][1]) / max(n, 1), 2)
    if gen:
        before = [kb for t, kb, _ in gen if t < run0] or [gen[0][1]]
        steady_kb = statistics.median(in_steady(gen))
        out["generator_rss_start_kb"] = min(before)
        out["generator_rss_steady_kb"] = steady_kb
        out["generator_rss_peak_kb"] = max(kb for _, kb, _ in gen)
        out["generator_cpu_steady_pct"] = cpu_percent(gen, s0, s1)
        out["generator_cpu_ramp_pct"] = cpu_percent(gen, run0, s0)
        out["generator_kb_per_client"] = round((steady_kb - min(before)) / max(peak or clients, 1), 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
