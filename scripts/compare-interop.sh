#!/usr/bin/env bash
# The same load scenario against the python-socketio server in interop/ and
# against `stampede serve`, one after the other, each in its own process on
# loopback with the generator in a second process. Writes a side-by-side
# markdown table to reports/interop-comparison.md and prints it; raw
# outputs stay under reports/bench/<time>/. Bounded: ~1.5 min.
#   scripts/compare-interop.sh [SCENARIO] [--set k=v ...]
#   (default scenarios/load/interop-compare.yaml)
set -uo pipefail
source "$(dirname "$0")/bench-lib.sh"
SCENARIO=${1:-scenarios/load/interop-compare.yaml}
shift || true
BENCH_SECRET=${BENCH_SECRET:-interop-secret}
bench_init
VENV=$(bash interop/setup.sh) || { echo "interop venv setup failed" >&2; exit 3; }

start_listening python-server 600 "$VENV/bin/python" interop/server/server.py --port 0 --jwt-secret "$BENCH_SECRET"
run_load interop-python "$SCENARIO" "$@"
stop_server
summarize interop-python 0 > "$BENCH_OUT/interop-python.json"

start_stampede_server stampede-server
run_load interop-stampede "$SCENARIO" "$@"
stop_server
summarize interop-stampede 0 > "$BENCH_OUT/interop-stampede.json"

python3 - "$BENCH_OUT" "$SCENARIO $*" "$(machine_line)" "$(date -u +%Y-%m-%dT%H:%MZ)" <<'PY' | tee reports/interop-comparison.md
import json, sys
out, scenario, machine, when = sys.argv[1:5]
py = json.load(open(f"{out}/interop-python.json"))
st = json.load(open(f"{out}/interop-stampede.json"))
def lat(r, m, k):
    v = r.get(m, {}).get(k)
    return f"{v:.2f} ms" if v is not None else "—"
def mib(kb):
    return f"{kb/1024:.1f} MiB" if kb else "—"
rows = [
    ("peak connections (generator / server)", lambda r: f"{r['peak_connections']} / {r['peak_server_connections'] or '—'}"),
    ("events published", lambda r: str(r["events_published"])),
    ("deliveries received", lambda r: str(r["events_received"])),
    ("deliveries/s (median of steady seconds)", lambda r: f"{r['deliveries_per_s_median']:.0f}"),
    ("event_delivery p50", lambda r: lat(r, "event_delivery", "p50")),
    ("event_delivery p99", lambda r: lat(r, "event_delivery", "p99")),
    ("event_delivery max", lambda r: lat(r, "event_delivery", "max")),
    ("publish (HTTP) p50 / p99", lambda r: f"{lat(r, 'publish', 'p50')} / {lat(r, 'publish', 'p99')}"),
    ("connect p50 / p99", lambda r: f"{lat(r, 'connect', 'p50')} / {lat(r, 'connect', 'p99')}"),
    ("subscribe_ack p99", lambda r: lat(r, "subscribe_ack", "p99")),
    ("server CPU during steady (% of one core)", lambda r: f"{r.get('server_cpu_steady_pct')}%"),
    ("load average at start (other work on the machine)", lambda r: r.get("loadavg_start", "—")),
    ("server RSS idle", lambda r: mib(r.get("server_rss_idle_kb"))),
    ("server RSS steady (median)", lambda r: mib(r.get("server_rss_steady_kb"))),
    ("server RSS peak", lambda r: mib(r.get("server_rss_peak_kb"))),
    ("ordering (observations, passed)", lambda r: f"{r['ordering_observations']}, {r['ordering_passed']}"),
    ("errors", lambda r: f"{r['errors']} {json.dumps(r['errors_by_code']) if r['errors'] else ''}".strip()),
    ("generator loop lag p99 / cpu", lambda r: f"{r['generator_health']['loop_lag_p99_ms']:.1f} ms / {r['generator_health']['cpu_percent']:.0f}%"),
    ("stampede run exit code", lambda r: str(r["exit_code"])),
]
print("# Interop comparison: python-socketio vs Stampede\n")
print(f"Scenario: `{scenario.strip()}` · {when} · {machine}\n")
print("Both servers ran alone in their own process on 127.0.0.1, the generator (`stampede run --target`) in another.\n")
print("| | python-socketio (interop/server) | stampede serve |")
print("|---|---|---|")
for label, f in rows:
    print(f"| {label} | {f(py)} | {f(st)} |")
print(f"\nRaw outputs: `{out}`")
PY
