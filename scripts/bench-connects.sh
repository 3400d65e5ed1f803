#!/usr/bin/env bash
# Authenticated connects (issue 14): for each stampede binary given, `stampede serve` in one
# process and `stampede run scenarios/bench/connects.yaml --target` in another, sessions
# arriving at RATE for DURATION, each a WebSocket with a JWT in its CONNECT, held to the end.
# Per binary and round it prints one table row: connects/s sustained, connect (TCP + upgrade +
# Engine.IO open) and auth (CONNECT → reply) p50/p99, server µs of CPU per connect (the
# server's CPU from /proc/<pid>/stat over the run ÷ authenticated connects) and server KB per
# connection (RSS at the end of the hold − RSS idle, ÷ connections). Binaries alternate
# round by round (ROUNDS of each), so a shared machine's load falls on both alike; read ratios.
# PERF=1 adds one round per binary with the server and the generator under `perf record -e
# cpu-clock -g` (not in the table) and writes `perf report --no-children` of each to
# bin<i>-perf/perf-{server,generator}.txt. SYSCALLS=1 adds one round per binary
# under `strace -c -f` (at SYSCALL_RATE, 500/s by default, for 2 s: strace slows the server)
# and prints the server's write/read syscalls per connect, an exact count where CPU is noisy.
#   scripts/bench-connects.sh [BINARY...]     (default .build/release/stampede)
#   RATE=3000/s DURATION=5s ROUNDS=2 WORKERS=1 SOURCES=1 PERF= SYSCALLS= SYSCALL_RATE=500/s
set -uo pipefail
source "$(dirname "$0")/bench-lib.sh"
RATE=${RATE:-3000/s}
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-2}
WORKERS=${WORKERS:-1}
SOURCES=${SOURCES:-1}
bins=("$@")
[[ ${#bins[@]} -gt 0 ]] || bins=("$STAMPEDE")
STAMPEDE=${bins[0]}   # bench_init builds the release binary only when none was given
bench_init
: > "$BENCH_OUT/runs.txt"
gen_args=(--set "rate=$RATE" --set "duration=$DURATION")
[[ "$WORKERS" -gt 1 ]] && gen_args+=(--workers "$WORKERS")
[[ "$SOURCES" -gt 1 ]] && gen_args+=(--source-addresses "$SOURCES")

one_round() {  # one_round NAME BINARY [perf|strace]
    STAMPEDE=$2
    wait_time_wait_drained
    start_stampede_server "server-$1"
    local perf_pid="" strace_pid=""
    if [[ "${3:-}" == strace ]]; then
        timeout 120 strace -c -f -e trace=write,writev,sendmsg,read,readv,recvmsg -o "$BENCH_OUT/$1.strace" -p "$SERVER_PID" 2> /dev/null &
        strace_pid=$!; BENCH_PIDS+=("$strace_pid"); sleep 0.5
        run_load "$1" scenarios/bench/connects.yaml --set "rate=${SYSCALL_RATE:-500/s}" --set "duration=2s"
        stop_server; wait "$strace_pid" 2>/dev/null
        python3 - "$BENCH_OUT/$1" "$BENCH_OUT/$1.strace" "$2" <<'PY' | tee -a "$BENCH_OUT/syscalls.md"
import json, sys
d, trace, binary = sys.argv[1:4]
ok = json.load(open(f"{d}/report.json"))["metrics"].get("auth", {}).get("count", 0)
calls = {}
for line in open(trace):
    f = line.split()
    if len(f) >= 5 and f[-1] in ("write", "writev", "sendmsg", "read", "readv", "recvmsg"):
        calls[f[-1]] = int(f[3])
print(f"| {binary} | {ok:,} | " + " | ".join(f"{calls.get(n, 0) / max(ok, 1):.2f}" for n in ("writev", "write", "read")) + " |")
PY
        return
    fi
    if [[ -n "${3:-}" ]]; then   # the arrivals' seconds, both processes
        perf_processes "$BENCH_OUT/$1" 1 "${DURATION%s}" " run scenarios/bench/connects.yaml" &
        perf_pid=$!
    fi
    run_load "$1" scenarios/bench/connects.yaml "${gen_args[@]}"
    stop_server
    if [[ -n "$perf_pid" ]]; then
        wait "$perf_pid" 2>/dev/null
    else
        echo "$1 $2" >> "$BENCH_OUT/runs.txt"
    fi
}

for r in $(seq 1 "$ROUNDS"); do
    for i in "${!bins[@]}"; do one_round "bin$i-round$r" "${bins[$i]}"; done
done
if [[ -n "${PERF:-}" ]]; then
    for i in "${!bins[@]}"; do one_round "bin$i-perf" "${bins[$i]}" perf; done
fi
if [[ -n "${SYSCALLS:-}" ]]; then
    echo "| binary (under strace -c) | connects | writev / connect | write / connect | read / connect |" > "$BENCH_OUT/syscalls.md"
    echo "|---|---|---|---|---|" >> "$BENCH_OUT/syscalls.md"
    for i in "${!bins[@]}"; do one_round "bin$i-strace" "${bins[$i]}" strace > /dev/null; done
fi

python3 - "$BENCH_OUT" "$(machine_line)" "$RATE" "$DURATION" <<'PY' | tee "$BENCH_OUT/connects.md"
import sys
sys.path.insert(0, "scripts")
from bench_runs import cpu_us, epoch, runs, samples
out, machine, rate, duration = sys.argv[1:5]
print(f"Machine: {machine}; offered {rate} for {duration}\n")
print("| run | binary | load avg (start → end) | connects ok | connects/s sustained | connect p50 / p99 | auth p50 / p99 | server µs CPU / connect | generator µs CPU / connect | server KB / connection | errors | exit |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for name, binary, d, rep, _ in runs(out):
    m = rep.get("metrics", {})
    c, a = m.get("connect", {}), m.get("auth", {})
    ok = a.get("count", 0)
    # Sustained: the median of the per-second authenticated connects over the seconds that
    # had any (the first and last are partial, the median ignores them).
    counts = sorted(n for n in (s.get("latency", {}).get("auth", {}).get("count", 0) for s in rep.get("time_series", [])) if n > 0) or [0]
    sustained = counts[len(counts) // 2]
    idle_kb = int(open(f"{d}/server-idle-rss.txt").read().split()[1])
    # Up to the hold's end: the closes at the run's end are not connects.
    hold_end = epoch(rep["phases"][-1]["end"])
    held = samples(f"{d}/server-rss.txt", end=hold_end) or samples(f"{d}/server-rss.txt")
    server_us = cpu_us(held)
    peak_kb = max(r[1] for r in held)
    # The generator's CPU over the same span (it pays for its own connects: TCP, upgrade, JWT).
    gen_us = cpu_us(samples(f"{d}/generator-rss.txt", end=hold_end))
    la0 = open(f"{d}/loadavg-start.txt").read().split()[0]
    la1 = open(f"{d}/loadavg-end.txt").read().split()[0]
    errors = sum(rep.get("errors_by_code", {}).values())
    print(f"| {name} | {binary} | {la0} → {la1} | {ok:,} | {sustained:,} | "
          f"{c.get('p50', 0):.1f} / {c.get('p99', 0):.1f} ms | {a.get('p50', 0):.1f} / {a.get('p99', 0):.1f} ms | "
          f"{server_us / max(ok, 1):.0f} | {gen_us / max(ok, 1):.0f} | {(peak_kb - idle_kb) / max(ok, 1):.2f} | {errors} | {rep.get('exit_code')} |")
PY
[[ -f "$BENCH_OUT/syscalls.md" ]] && { echo; cat "$BENCH_OUT/syscalls.md"; } | tee -a "$BENCH_OUT/connects.md"
echo "raw outputs: $BENCH_OUT" >&2
