#!/usr/bin/env bash
# Generator capacity on loopback (release build, ~1 min, stops by itself):
# 10,000 WebSocket clients ramped in RAMP (default 10s; 5s = 2,000/s overran the connect timeout here) against a separate
# `stampede serve`, then held while 100 workflows publish 1 event/s each
# (10,000 deliveries/s), ordering checked on every delivery. Reports the
# achieved connect rate, connect p50/p99, the generator's resident KB per
# client and the ordering check's observation count against deliveries.
#   scripts/bench-generator.sh [CLIENTS]      (default 10000)
set -uo pipefail
source "$(dirname "$0")/bench-lib.sh"
CLIENTS=${1:-10000}
RAMP=${RAMP:-10s}
bench_init

# fanout-10k with a short ramp, a 15 s hold and 1 event/s per workflow; the
# generator's figures do not need the 100,000 deliveries/s the file asks for.
sed -e "s#duration: 30s, clients#duration: $RAMP, clients#" -e "s#duration: 30s }#duration: 15s }#" \
    scenarios/load/fanout-10k.yaml > "$BENCH_OUT/generator-10k.yaml"
[[ $(grep -c "duration: $RAMP, clients\|duration: 15s }" "$BENCH_OUT/generator-10k.yaml") == 2 ]] \
    || { echo "fanout-10k.yaml changed shape; update the sed lines" >&2; exit 3; }

start_stampede_server server-generator
run_load generator "$BENCH_OUT/generator-10k.yaml" --set "clients=$CLIENTS" --set "rate=1/s"
stop_server
summarize generator "$CLIENTS" | tee "$BENCH_OUT/generator.json"

python3 - "$BENCH_OUT/generator.json" "$(machine_line)" "$RAMP" <<'PY' | tee "$BENCH_OUT/generator.md"
import json, sys
r = json.load(open(sys.argv[1]))
c, e = r.get("connect", {}), r.get("event_delivery", {})
print(f"Machine: {sys.argv[2]}\n")
print("| clients (peak) | ramp | connect rate (peak 1 s) | connect p50 / p99 | generator RSS start → steady | KB/client | generator CPU ramp / steady | deliveries | ordering observations | loop lag p99 | errors | exit |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
print(f"| {r['clients']} ({r['peak_connections']}) | {sys.argv[3]} | {r['connect_rate_peak_per_s']}/s | {c.get('p50', 0):.2f} / {c.get('p99', 0):.2f} ms | "
      f"{r.get('generator_rss_start_kb', 0)/1024:.1f} → {r.get('generator_rss_steady_kb', 0)/1024:.1f} MiB | {r.get('generator_kb_per_client')} | "
      f"{r.get('generator_cpu_ramp_pct')}% / {r.get('generator_cpu_steady_pct')}% | {r['events_received']} | {r['ordering_observations']} | "
      f"{r['generator_health']['loop_lag_p99_ms']:.1f} ms | {r['errors']} | {r['exit_code']} |")
PY
echo "raw outputs: $BENCH_OUT" >&2
