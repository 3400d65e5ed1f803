#!/usr/bin/env bash
# Server capacity on loopback (release build, ~3 min, stops by itself):
#   fanout-10k   — 10,000 WebSocket subscribers on 100 workflows, 1 publisher per 100
#   broadcast-10k — 10,000 subscribers of ONE workflow, one event/s
# each against a fresh `stampede serve` in its own process (so idle RSS is
# the server's real baseline), with the generator in a second process.
# Prints a markdown table and leaves raw outputs under reports/bench/<time>/.
#   scripts/bench-server.sh [CLIENTS]      (default 10000)
set -uo pipefail
source "$(dirname "$0")/bench-lib.sh"
CLIENTS=${1:-10000}
bench_init

# fanout-10k at 10 events/s per workflow asks for 100 workflows x 10 x 100 subscribers =
# 100,000 deliveries/s (the figure of the first capacity runs); a second run at FANOUT_RATE per
# workflow (the scenario's own default, 2/s) shows the latency at a load it sustains. The rate
# is the scenario's `rate` variable, set per run.
FANOUT_RATE=${FANOUT_RATE:-2/s}
names=("fanout-10k@10/s" "fanout-10k@$FANOUT_RATE" broadcast-10k)
files=(scenarios/load/fanout-10k.yaml scenarios/load/fanout-10k.yaml scenarios/load/broadcast-10k.yaml)
rates=(10/s "$FANOUT_RATE" "")
: > "$BENCH_OUT/server.jsonl"
for i in "${!names[@]}"; do
    dir=${names[$i]//[@\/]/-}
    start_stampede_server "server-$dir"
    run_load "$dir" "${files[$i]}" --set "clients=$CLIENTS" ${rates[$i]:+--set "rate=${rates[$i]}"}
    stop_server
    summarize "$dir" "$CLIENTS" | tee -a "$BENCH_OUT/server.jsonl"
done

python3 - "$BENCH_OUT/server.jsonl" "$(machine_line)" "${names[@]}" <<'PY' | tee "$BENCH_OUT/server.md"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
names = sys.argv[3:]
print(f"Machine: {sys.argv[2]}\n")
print("| scenario | clients (peak) | server idle RSS | server steady RSS | KB/connection | generator KB/client | server CPU steady | generator CPU steady | deliveries/s (median) | event_delivery p50 | p99 | max | publish p50 / p99 | errors | exit |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for name, r in zip(names, rows):
    e = r.get("event_delivery", {})
    print(f"| {name} | {r['clients']} ({r['peak_connections']}) | {r.get('server_rss_idle_kb', 0)/1024:.1f} MiB | "
          f"{r.get('server_rss_steady_kb', 0)/1024:.1f} MiB | {r.get('server_kb_per_connection')} | {r.get('generator_kb_per_client')} | "
          f"{r.get('server_cpu_steady_pct')}% | {r.get('generator_cpu_steady_pct')}% | "
          f"{r['deliveries_per_s_median']:.0f} | {e.get('p50', 0):.2f} ms | {e.get('p99', 0):.2f} ms | {e.get('max', 0):.2f} ms | "
          f"{r.get('publish', {}).get('p50', 0):.2f} / {r.get('publish', {}).get('p99', 0):.2f} ms | "
          f"{r['errors']} | {r['exit_code']} |")
PY
echo "raw outputs: $BENCH_OUT" >&2
