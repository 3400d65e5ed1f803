#!/usr/bin/env bash
# Stampede's generator beside Locust (PyPI `locust`, its SocketIOUser over python-socketio) on
# one `stampede serve`, with the same offered load from a separate publisher process
# (scripts/generators/publisher.py: RATE events/s per workflow, one event per request), so
# neither generator is charged for publishing. Each generator holds CLIENTS WebSocket
# subscribers on WORKFLOWS workflows (created once with --prepare-only; subscriber i owns
# workflow i mod W in both). Reported per generator: deliveries it observed per second of the
# publish window, its CPU per delivery (its process tree's /proc CPU over the window ÷
# deliveries), its latency figure, and whether it flagged its own saturation (Stampede:
# generator_health.saturated in report.json; Locust: its "CPU usage above 90%" warning).
# Writes reports/generator-comparison.md. Loopback only, bounded (~4 min).
#   CLIENTS=1000 WORKFLOWS=50 RATE=5 WINDOW=30 scripts/compare-generators.sh
set -uo pipefail
source "$(dirname "$0")/bench-lib.sh"
CLIENTS=${CLIENTS:-1000}
WORKFLOWS=${WORKFLOWS:-50}
RATE=${RATE:-5}
WINDOW=${WINDOW:-30}
RAMP=${RAMP:-15}
BENCH_SECRET=${BENCH_SECRET:-compare-secret}
bench_init
GEN="$BENCH_ROOT/scripts/generators"
VENV="${STAMPEDE_LOCUST_VENV:-$BENCH_ROOT/.venv-locust}"
if [[ ! -x "$VENV/bin/locust" ]]; then
    python3 -m venv "$VENV" >&2 && "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$GEN/requirements.txt" >&2 \
        || { echo "cannot install Locust into $VENV (PyPI unreachable?)" >&2; exit 3; }
fi

# CPU ticks of a process and all its descendants (Locust may fork; `timeout` wraps both tools).
descendants() { local c; echo "$1"; for c in $(pgrep -P "$1"); do descendants "$c"; done; }
tree_ticks() {
    local total=0 p t
    for p in $(descendants "$1"); do t=$(cpu_ticks "$p"); total=$((total + ${t:-0})); done
    echo "$total"
}
HZ=$(getconf CLK_TCK)

# measure NAME PID: waits RAMP s, then runs the publisher for WINDOW s while reading PID's CPU.
measure() {
    local name=$1 pid=$2 dir="$BENCH_OUT/$1"
    sleep "$RAMP"
    local t0; t0=$(tree_ticks "$pid")
    cut -d' ' -f1-3 /proc/loadavg > "$dir/loadavg-start.txt"
    python3 "$GEN/publisher.py" "$SERVER_URL" "$BENCH_SECRET" "$PREPARED/workflows.json" "$RATE" "$WINDOW" > "$dir/publisher.json"
    local t1; t1=$(tree_ticks "$pid")
    echo "$(( t1 - t0 ))" > "$dir/cpu-ticks.txt"
    cut -d' ' -f1-3 /proc/loadavg > "$dir/loadavg-end.txt"
    echo "$name: publisher $(cat "$dir/publisher.json"), generator CPU $(( (t1 - t0) * 100 / HZ / WINDOW ))% of one core" >&2
}

start_listening server 900 "$STAMPEDE" serve --port 0 --max-connections-per-user 100000 --jwt-secret "$BENCH_SECRET"
PREPARED="$BENCH_OUT/prepared"
"$STAMPEDE" run scenarios/bench/generator-compare.yaml --target "$SERVER_URL" --jwt-secret "$BENCH_SECRET" \
    --set clients="$CLIENTS" --set workflows="$WORKFLOWS" --prepare-only --out "$PREPARED" >&2 || exit 3

# Stampede: the ramp, then the publish window, then a few seconds to drain.
mkdir -p "$BENCH_OUT/stampede"
HOLD=$((WINDOW + 8))
timeout 300 "$STAMPEDE" run scenarios/bench/generator-compare.yaml --target "$SERVER_URL" --jwt-secret "$BENCH_SECRET" \
    --set clients="$CLIENTS" --set workflows="$WORKFLOWS" --set ramp="${RAMP}s" --set hold="${HOLD}s" \
    --workflow-ids "@$PREPARED/workflows.json" --progress lines --out "$BENCH_OUT/stampede" > "$BENCH_OUT/stampede/run.log" 2>&1 &
STAMPEDE_GEN=$!
BENCH_PIDS+=("$STAMPEDE_GEN")
measure stampede "$STAMPEDE_GEN"
wait "$STAMPEDE_GEN"; echo $? > "$BENCH_OUT/stampede/exit-code"

# Locust, headless, one process (its default), spawning at the same rate over the same ramp.
mkdir -p "$BENCH_OUT/locust"
SPAWN=$(( (CLIENTS + RAMP - 1) / RAMP ))
( cd "$GEN" && LOCUST_SECRET="$BENCH_SECRET" LOCUST_WORKFLOWS="$PREPARED/workflows.json" LOCUST_COUNTS="$BENCH_OUT/locust/counts.json" \
    timeout 300 "$VENV/bin/locust" -f locustfile.py --headless -u "$CLIENTS" -r "$SPAWN" -t "$((RAMP + HOLD))s" \
    --host "$SERVER_URL" --csv "$BENCH_OUT/locust/stats" --only-summary ) > "$BENCH_OUT/locust/run.log" 2>&1 &
LOCUST_GEN=$!
BENCH_PIDS+=("$LOCUST_GEN")
measure locust "$LOCUST_GEN"
wait "$LOCUST_GEN"; echo $? > "$BENCH_OUT/locust/exit-code"
stop_server

python3 - "$BENCH_OUT" "$CLIENTS" "$WORKFLOWS" "$RATE" "$WINDOW" "$HZ" "$(machine_line)" "$(date -u +%Y-%m-%dT%H:%MZ)" <<'PY' | tee reports/generator-comparison.md
import csv, json, os, sys
out, clients, workflows, rate, window, hz, machine, when = sys.argv[1:9]
clients, workflows, rate, window, hz = int(clients), int(workflows), float(rate), float(window), int(hz)
def read(p, default=None):
    try: return open(p).read().strip()
    except OSError: return default
rows = {}
for tool in ("stampede", "locust"):
    d = f"{out}/{tool}"
    pub = json.loads(read(f"{d}/publisher.json", "{}") or "{}")
    ticks = int(read(f"{d}/cpu-ticks.txt", "0"))
    r = {"published": pub.get("published", 0), "refused": pub.get("refused", 0), "cpu_s": ticks / hz,
         "load": f'{read(f"{d}/loadavg-start.txt", "?")} → {read(f"{d}/loadavg-end.txt", "?")}'}
    if tool == "stampede":
        rep = json.load(open(f"{d}/report.json"))
        r["received"] = rep["counters"].get("events_received", 0)
        m = rep["metrics"].get("event_delivery", {})
        r["latency"] = f'p50 {m.get("p50", "—")} / p99 {m.get("p99", "—")} ms'
        r["flagged"] = "yes" if rep.get("generator_health", {}).get("saturated") else "no"
        r["checked"] = "ordering + isolation on every delivery"
        r["verdict"] = rep.get("verdict", "?")
    else:
        counts = json.loads(read(f"{d}/counts.json", "{}") or "{}")
        r["received"] = counts.get("received", 0)
        mean = counts["latency_ms_sum"] / counts["received"] if counts.get("received") else None
        p50 = p99 = "—"
        try:
            for row in csv.DictReader(open(f"{d}/stats_stats.csv")):
                if row["Name"] == "tool_update": p50, p99 = row["50%"], row["99%"]
        except OSError: pass
        r["latency"] = f"p50 {p50} / p99 {p99} ms" + (f" (mean {mean:.1f})" if mean else "")
        log = read(f"{d}/run.log", "")
        r["flagged"] = "yes" if "CPU usage above" in log else "no"
        r["checked"] = "nothing (counts only)"
        r["verdict"] = f'exit {read(f"{d}/exit-code", "?")}, {counts.get("subscribed", 0)}/{clients} subscribed'
    offered = r["published"] * clients / workflows
    r["offered"] = offered
    rows[tool] = r
print(f"# Generators side by side — {when}\n\n{machine}\n")
print(f"Offered: {clients} subscribers on {workflows} workflows, {rate:g} events/s per workflow for {window:g} s "
      f"(one event per request, from a separate publisher) = {rate*workflows*clients/workflows:,.0f} deliveries/s asked.\n")
print("| | Stampede | Locust (SocketIOUser) |\n|---|---|---|")
def line(label, f): print(f"| {label} | {f(rows['stampede'])} | {f(rows['locust'])} |")
line("events published in the window (refused)", lambda r: f"{r['published']:,} ({r['refused']})")
line("deliveries the generator observed", lambda r: f"{r['received']:,} of {r['offered']:,.0f}")
line("observed deliveries/s", lambda r: f"{r['received']/window:,.0f}")
line("generator CPU in the window (% of one core)", lambda r: f"{r['cpu_s']*100/window:.0f}%")
line("observed deliveries per CPU-second", lambda r: f"{r['received']/r['cpu_s']:,.0f}" if r['cpu_s'] else "—")
line("CPU µs per observed delivery", lambda r: f"{r['cpu_s']*1e6/r['received']:.1f}" if r['received'] else "—")
line("delivery latency", lambda r: r["latency"])
line("flagged its own saturation", lambda r: r["flagged"])
line("checked", lambda r: r["checked"])
line("result", lambda r: r["verdict"])
line("load average (start → end)", lambda r: r["load"])
s, l = rows["stampede"], rows["locust"]
if l["received"] and l["cpu_s"] and s["cpu_s"]:
    print(f"\nRatios: Stampede observed {s['received']/max(l['received'],1):.1f}× the deliveries Locust did, "
          f"at {(l['cpu_s']/l['received'])/(s['cpu_s']/s['received']):.0f}× less CPU per delivery.")
PY
