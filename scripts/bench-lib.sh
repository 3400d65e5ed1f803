# Shared pieces of the capacity benchmarks (sourced by bench-server.sh,
# bench-generator.sh and compare-interop.sh). Everything is loopback-only
# and bounded: every process started here runs under `timeout` and is
# killed by PID on exit.
#
# Why two processes: the per-process file limit is 20,000, so 10,000
# client sockets and the server's 10,000 accepted sockets cannot live in
# one process — the generator runs against a separate `stampede serve`.

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STAMPEDE="${STAMPEDE:-$BENCH_ROOT/.build/release/stampede}"
BENCH_PIDS=()

bench_init() {
    cd "$BENCH_ROOT" || exit 3
    # The hard limit here is 20,000; the soft one may be lower in some shells.
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    echo "open files limit: $(ulimit -n) (hard $(ulimit -Hn))" >&2
    if [[ ! -x "$STAMPEDE" || -n "${BENCH_REBUILD:-}" ]]; then
        swift build -c release --product stampede >&2 || exit 3
    fi
    BENCH_OUT="${BENCH_OUT:-$BENCH_ROOT/reports/bench/$(date -u +%Y%m%dT%H%M%SZ)}"
    mkdir -p "$BENCH_OUT"
    trap bench_cleanup EXIT
}

# Waits (at most TIME_WAIT_MAX seconds, 75 by default) until fewer than TIME_WAIT_BELOW (2,000)
# sockets are in TIME_WAIT. With 50,004 of them left by the floor program, a connects round
# connected 14,414 of 15,000 with a connect p99 of 6.4 s and 731 µs of generator CPU per
# connect; drained, 15,000 with 22.6 ms and 216 µs (docs/BENCHMARKS.md §19; what they slow
# in the generator is not found).
wait_time_wait_drained() {
    local waited=0 n
    while n=$(ss -tan state time-wait 2>/dev/null | tail -n +2 | wc -l); [[ "$n" -ge "${TIME_WAIT_BELOW:-2000}" ]]; do
        [[ "$waited" -ge "${TIME_WAIT_MAX:-75}" ]] && { echo "still $n sockets in TIME_WAIT after ${waited}s" >&2; return; }
        [[ "$waited" -eq 0 ]] && echo "waiting for $n sockets in TIME_WAIT to drain" >&2
        sleep 5; waited=$((waited + 5))
    done
}

bench_cleanup() {
    local pid
    for pid in "${BENCH_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}

# Resident KB of a live process.
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null; }

# CPU time (user + system) of a live process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null; }

# Samples PID's RSS, CPU and open files twice a second into FILE
# ("epoch_seconds kb ticks fds") until it exits; the CPU column tells which
# process was saturated, the fd column how close it came to the file limit.
# One sleeping Python process per sampled PID: forking ls, awk and date per sample cost
# ~20 ms of a core each time with 10,000 descriptors (BENCHMARKS §20).
sample_rss() {
    python3 "$(dirname "${BASH_SOURCE[0]}")/proc_sample.py" "$2" "$1" &
    BENCH_PIDS+=($!)
}

# start_listening NAME TIMEOUT CMD... — starts a server that prints
# "listening on URL", waits for that line; sets SERVER_PID and SERVER_URL.
start_listening() {
    local name=$1 limit=$2; shift 2
    local log="$BENCH_OUT/$name.log"
    timeout "$limit" "$@" > "$log" 2>&1 &
    SERVER_PID=$!
    BENCH_PIDS+=("$SERVER_PID")
    SERVER_URL=""
    for _ in $(seq 1 300); do
        SERVER_URL=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$log" | head -1)
        [[ -n "$SERVER_URL" ]] && break
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -z "$SERVER_URL" ]]; then echo "$name did not start; see $log" >&2; cat "$log" >&2; exit 3; fi
    # `timeout` is the parent; the RSS we want is the server's own.
    local child; child=$(pgrep -P "$SERVER_PID" | head -1)
    [[ -n "$child" ]] && SERVER_PID=$child
    echo "$name listening on $SERVER_URL (pid $SERVER_PID)" >&2
}

start_stampede_server() {
    start_listening "${1:-server}" 600 "$STAMPEDE" serve --port 0 --max-connections-per-user 20000 --jwt-secret "${BENCH_SECRET:-dev-secret}"
}

stop_server() {
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
}

# run_load NAME SCENARIO [extra run args...] — runs the generator against
# SERVER_URL, sampling the server's and the generator's RSS. Leaves
# $BENCH_OUT/NAME/{report.json,run.log,server-rss.txt,generator-rss.txt}.
run_load() {
    local name=$1 scenario=$2; shift 2
    local dir="$BENCH_OUT/$name"
    mkdir -p "$dir"
    echo "$(date +%s.%N) $(rss_kb "$SERVER_PID")" > "$dir/server-idle-rss.txt"
    # Other work on the same 2 cores (compilers, tests) starves both processes;
    # the load average before and after says how much the figures can be trusted.
    cut -d' ' -f1-3 /proc/loadavg > "$dir/loadavg-start.txt"
    sample_rss "$SERVER_PID" "$dir/server-rss.txt"
    timeout 400 "$STAMPEDE" run "$scenario" --target "$SERVER_URL" --progress lines \
        --jwt-secret "${BENCH_SECRET:-dev-secret}" --out "$dir" "$@" > "$dir/run.log" 2>&1 &
    local gen=$!
    BENCH_PIDS+=("$gen")
    local child=""
    for _ in $(seq 1 50); do child=$(pgrep -P "$gen" | head -1); [[ -n "$child" ]] && break; sleep 0.05; done
    sample_rss "${child:-$gen}" "$dir/generator-rss.txt"
    wait "$gen"
    local rc=$?
    echo "$rc" > "$dir/exit-code"
    cut -d' ' -f1-3 /proc/loadavg > "$dir/loadavg-end.txt"
    echo "$name: stampede run exit $rc" >&2
    sed -n '/^metric/,$p' "$dir/run.log" >&2
}

# summarize NAME CLIENTS — one JSON line of figures from a run_load directory.
summarize() {
    python3 "$BENCH_ROOT/scripts/bench-summary.py" "$BENCH_OUT/$1" "$2"
}

# perf_processes DIR DELAY SECS PATTERN: after DELAY seconds, samples the server
# (SERVER_PID) and the generator (the process whose command line holds PATTERN)
# side by side with `perf record -e cpu-clock -g` for SECS seconds, and writes
# `perf report --no-children` of each to DIR/perf-{server,generator}.txt.
perf_processes() {
    local dir=$1 delay=$2 secs=$3 pattern=$4 gen="" p
    sleep "$delay"
    gen=$(pgrep -f -- "$pattern" | while read -r p; do
        [[ "$(cat /proc/$p/comm 2>/dev/null)" != timeout ]] && echo "$p"; done | head -1)
    [[ -n "$gen" ]] || { echo "perf: no generator process matches '$pattern'" >&2; return; }
    mkdir -p "$dir"
    timeout $((secs + 20)) perf record -q -e cpu-clock -g -p "$SERVER_PID" -o "$dir/server.perf.data" -- sleep "$secs" > /dev/null 2>&1 &
    timeout $((secs + 20)) perf record -q -e cpu-clock -g -p "$gen" -o "$dir/generator.perf.data" -- sleep "$secs" > /dev/null 2>&1 &
    wait
    for p in server generator; do
        perf report -i "$dir/$p.perf.data" --no-children --stdio --percent-limit 0.5 -g none 2>/dev/null \
            | grep -v '^$' | head -200 > "$dir/perf-$p.txt"
        echo "perf report: $dir/perf-$p.txt" >&2
    done
}

machine_line() {
    echo "$(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr), open files $(ulimit -n)"
}
