#!/usr/bin/env bash
# CLIENTS concurrent subscribed WebSocket clients on a cluster of NODES `stampede serve
# --postgres` nodes on this machine (one throwaway PostgreSQL), the generator sharded over
# WORKERS processes and SOURCES 127.0.0.x source addresses (a process may hold 20,000 files, one
# source address reaches one port ~28,000 times); one event every 5 s reaches all of them.
# Prints one JSON line (and reports/bench/<time>/cluster-broadcast.json): peak clients, each
# node's connections and RSS, KB per connection on each side, event_delivery p50/p99/max.
#   scripts/bench-cluster-broadcast.sh [CLIENTS] [NODES] [WORKERS] [SOURCES]   (100000 6 6 8)
set -uo pipefail
source "$(dirname "$0")/bench-lib.sh"
CLIENTS=${1:-100000}; NODES=${2:-6}; WORKERS=${3:-6}; SOURCES=${4:-8}
RAMP=${RAMP:-90s}
# PLAIN=1 (with NODES=1): one in-memory node, no PostgreSQL — the same run without the journal.
PLAIN=${PLAIN:-}
bench_init
PGPORT=${PGPORT:-55499}
PGDIR=""; cluster_flags=()
if [[ -z "$PLAIN" ]]; then
    PGOUT=$(scripts/pg-scratch.sh start "$PGPORT") || { echo "no PostgreSQL (install postgresql)" >&2; exit 3; }
    PGDIR=$(echo "$PGOUT" | head -1); PG=$(echo "$PGOUT" | tail -1)
fi
cleanup_all() { bench_cleanup; [[ -z "$PGDIR" ]] || scripts/pg-scratch.sh stop "$PGDIR" >/dev/null 2>&1 || true; }
trap cleanup_all EXIT
urls=(); pids=()
for i in $(seq 1 "$NODES"); do
    [[ -n "$PLAIN" ]] || cluster_flags=(--postgres "$PG" --node-id "bench-$i")
    start_listening "node-$i" 900 "$STAMPEDE" serve --port 0 "${cluster_flags[@]}" \
        --max-connections-per-user 1000000 --jwt-secret dev-secret --log-level warning --ping-interval 60000 --ping-timeout 60000
    urls+=("$SERVER_URL"); pids+=("$SERVER_PID")
    echo "$(date +%s.%N) $(rss_kb "$SERVER_PID")" > "$BENCH_OUT/node-$i-idle-rss.txt"
    sample_rss "$SERVER_PID" "$BENCH_OUT/node-$i-rss.txt"
done
targets=$(IFS=,; echo "${urls[*]}")
cut -d' ' -f1-3 /proc/loadavg > "$BENCH_OUT/loadavg-start.txt"
timeout 900 "$STAMPEDE" run scenarios/bench/cluster-broadcast.yaml --target "$targets" --workers "$WORKERS" \
    --source-addresses "$SOURCES" --set "clients=$CLIENTS" --set "ramp=$RAMP" --progress lines --out "$BENCH_OUT/run" \
    > "$BENCH_OUT/run.log" 2>&1 &
gen=$!; BENCH_PIDS+=("$gen")
# The workers' combined RSS, twice a second.
python3 scripts/proc_sample.py --sum "$BENCH_OUT/generator-rss.txt" "$gen" " run scenarios/bench/cluster-broadcast.yaml" &
BENCH_PIDS+=($!)
wait "$gen"; rc=$?
cut -d' ' -f1-3 /proc/loadavg > "$BENCH_OUT/loadavg-end.txt"
python3 - "$BENCH_OUT" "$rc" "$CLIENTS" "$NODES" "$WORKERS" "$SOURCES" <<'PY' | tee "$BENCH_OUT/cluster-broadcast.json"
import glob, json, os, sys
out, rc, clients, nodes, workers, sources = sys.argv[1], int(sys.argv[2]), *map(int, sys.argv[3:])
def peak(f):
    rows = [l.split() for l in open(f) if len(l.split()) >= 2]
    return max((int(r[1]) for r in rows), default=0)
def idle(f):
    return int(open(f).read().split()[1])
report = json.load(open(os.path.join(out, "run", "report.json"))) if os.path.exists(os.path.join(out, "run", "report.json")) else {}
m = report.get("metrics", {}).get("event_delivery", {})
peak_clients = max((s.get("connections", 0) for s in report.get("time_series", [])), default=0)
node_rows = []
for i in range(1, nodes + 1):
    p, i0 = peak(f"{out}/node-{i}-rss.txt"), idle(f"{out}/node-{i}-idle-rss.txt")
    node_rows.append({"node": i, "rss_peak_kb": p, "rss_idle_kb": i0})
server_growth = sum(r["rss_peak_kb"] - r["rss_idle_kb"] for r in node_rows)
gen_peak = peak(f"{out}/generator-rss.txt")
print(json.dumps({
    "clients_requested": clients, "clients_peak": peak_clients, "nodes": nodes, "workers": workers, "source_addresses": sources,
    "server_kb_per_connection": round(server_growth / max(1, peak_clients), 2),
    "generator_kb_per_client": round(gen_peak / max(1, peak_clients), 2),
    "event_delivery_ms": {k: m.get(k) for k in ("count", "p50", "p99", "max")},
    "errors": report.get("counters", {}).get("errors", 0), "exit": rc,
    "load_start": open(f"{out}/loadavg-start.txt").read().strip(), "load_end": open(f"{out}/loadavg-end.txt").read().strip(),
    "node_rss": node_rows}))
PY
