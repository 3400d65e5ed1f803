#!/usr/bin/env bash
# Cluster publish throughput before/after coalescing (issue 11, item 3):
# a throwaway PostgreSQL, two `stampede serve --postgres` nodes, 8
# publishers spread over them for BENCH_SECONDS (default 10) — with
# --publish-batch 1 (one transaction per publish) and the default (a node's
# publishes of the moment share a transaction), one event per request and
# ten. Prints a markdown table; figures go to docs/BENCHMARKS.md.
# fsync speed on these VMs varies a lot over a day: compare rows of one run.
#   scripts/bench-cluster-publish.sh            (BENCH_PG_PORT=55435, STAMPEDE=.build/debug/stampede)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
stampede=${STAMPEDE:-$root/.build/debug/stampede}
[[ -x $stampede ]] || { echo "build first: swift build (or set STAMPEDE)" >&2; exit 3; }
seconds=${BENCH_SECONDS:-10}
secret=bench-secret
out=$(scripts/pg-scratch.sh start "${BENCH_PG_PORT:-55435}")
dir=$(echo "$out" | head -1); base=$(echo "$out" | tail -1)
pids=()
cleanup() { stop_nodes; scripts/pg-scratch.sh stop "$dir"; }
trap cleanup EXIT

node_url=""
start_node() {  # db batch -> sets node_url (not a subshell: its PID must reach `pids`)
    local log; log=$(mktemp)
    timeout 600 "$stampede" serve --port 0 --postgres "$1" --publish-batch "$2" --jwt-secret "$secret" >"$log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
    node_url=$(sed -n 's/^listening on \([^ ]*\).*/\1/p' "$log")
    rm -f "$log"
}
stop_nodes() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }

echo "| publishes per transaction | events per request | events/s (8 publishers, 2 nodes) | request p50 / p99 ms | errors |"
echo "|---|---|---|---|---|"
n=0
for per in 1 10; do
  for batch in 1 64; do
    n=$((n + 1)); db="bench$n"
    psql "$base" -qc "CREATE DATABASE $db"
    url="${base%/*}/$db"
    start_node "$url" "$batch"; a=$node_url
    start_node "$url" "$batch"; b=$node_url
    r=$(python3 scripts/bench-cluster-publish.py "$secret" "$seconds" "$per" 64 "$a" "$b")
    label=$([[ $batch == 1 ]] && echo "1 (no coalescing)" || echo "up to $batch (coalesced)")
    python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("| %s | %s | %s | %s / %s | %s |" % (sys.argv[2], sys.argv[3], format(r["events_per_s"], ","), r["p50_ms"], r["p99_ms"], r["errors"]))' "$r" "$label" "$per"
    stop_nodes
  done
done
