#!/usr/bin/env bash
# Stampede's fan-out as a ratio to the kernel's floor, measured in one run
# (issue 14). Release builds, loopback, every process under `timeout`:
#   1. scripts/floor/loopback-floor.c (built here with gcc): one 200-byte frame
#      written to each of CLIENTS loopback sockets and read on the other side
#      (µs of CPU per write and per read), and ten frames per write;
#   2. for each stampede binary given: `stampede serve` in one process and
#      `stampede run scenarios/bench/fanout-floor.yaml --target` in another,
#      with publishers sending BATCH events per request (and BATCH2 in a
#      second round if set);
#   3. the floor again (the machine is shared: the two floor runs bracket it).
# A warm-up floor round runs first and is recorded but not used: the first paced floor of a
# sitting cost 1.5-3x what every later one did (four sittings on 2026-12-03: paced read
# 5.8-10.9 us against 3.2-3.4 after the runs), which flattered every paced ratio.
# Server CPU per delivery is compared with the floor's writer per write,
# generator CPU per delivery with the floor's reader per read.
# Generator ÷ server (CPU per delivery, same run) compares binaries across a noisy sitting
# when only one side changed (docs/BENCHMARKS.md §18).
#   scripts/bench-floor-ratio.sh [BINARY...]     (default .build/release/stampede)
#   CLIENTS=10000 WORKFLOWS=100 RATE=2/s BATCH=1 BATCH2=10 RATE2=20/s
# PERF=1 also samples both processes with `perf record -e cpu-clock -g` for
# PERF_SECONDS (default 10) of each run's steady phase and writes
# `perf report --no-children` to NAME/perf-{server,generator}.txt (the CPU
# figures of such a run include perf's own cost: compare them with each other).
set -uo pipefail
source "$(dirname "$0")/bench-lib.sh"
CLIENTS=${CLIENTS:-10000}
WORKFLOWS=${WORKFLOWS:-100}
RATE=${RATE:-2/s}
BATCH=${BATCH:-1}
bins=("$@")
[[ ${#bins[@]} -gt 0 ]] || bins=("$STAMPEDE")
STAMPEDE=${bins[0]}   # bench_init builds the release binary only when none was given
bench_init
FLOOR="$BENCH_OUT/loopback-floor"
gcc -O2 -Wall -o "$FLOOR" scripts/floor/loopback-floor.c || exit 3

# floor_round TAG: the burst floor (1 and 10 frames per write), then the paced floor at each
# run's own offered load: CLIENTS x RATE / BATCH writes per second of BATCH frames, in groups
# of one workflow's subscribers (CLIENTS / WORKFLOWS), for about 4 s.
floor_round() {
    for per in 1 10; do
        timeout 120 "$FLOOR" "$CLIENTS" 5 "$per" | sed "s/^{/{\"tag\":\"$1\",/" | tee -a "$BENCH_OUT/floor.jsonl" >&2
    done
    local r rate batch wps nrounds group
    for r in "${rounds[@]}"; do
        rate=${r%%:*}; rate=${rate%/s}; batch=${r##*:}
        read -r wps nrounds group < <(python3 -c "import math; w=$CLIENTS*$rate/$batch; print(int(w), max(2, math.ceil(4*w/$CLIENTS)), max(1, $CLIENTS//$WORKFLOWS))")
        timeout 120 "$FLOOR" "$CLIENTS" "$nrounds" "$batch" 200 "$wps" "$group" \
            | sed "s/^{/{\"tag\":\"$1-paced\",/" | tee -a "$BENCH_OUT/floor.jsonl" >&2
    done
}

: > "$BENCH_OUT/floor.jsonl"
: > "$BENCH_OUT/runs.txt"
rounds=("$RATE:$BATCH")
[[ -n "${BATCH2:-}" ]] && rounds+=("${RATE2:-$RATE}:$BATCH2")
floor_round warmup
floor_round before
for i in "${!bins[@]}"; do
    STAMPEDE=${bins[$i]}
    for r in "${rounds[@]}"; do
        name="bin$i-rate${r%%:*}-batch${r##*:}"; name=${name//\//per}
        start_stampede_server "server-$name"
        head -1 /proc/stat > "$BENCH_OUT/$name.stat-start"
        [[ -n "${PERF:-}" ]] && perf_processes "$BENCH_OUT/$name" 14 "${PERF_SECONDS:-10}" " run scenarios/bench/fanout-floor.yaml" &
        run_load "$name" scenarios/bench/fanout-floor.yaml --set "clients=$CLIENTS" --set "workflows=$WORKFLOWS" \
            --set "rate=${r%%:*}" --set "batch=${r##*:}"
        head -1 /proc/stat > "$BENCH_OUT/$name.stat-end"
        stop_server
        echo "$name ${bins[$i]} ${r%%:*} ${r##*:}" >> "$BENCH_OUT/runs.txt"   # name binary rate batch
    done
done
floor_round after

python3 - "$BENCH_OUT" "$(machine_line)" "$CLIENTS" <<'PY' | tee "$BENCH_OUT/floor-ratio.md"
import json, os, sys
sys.path.insert(0, "scripts")
from bench_runs import cpu_us, epoch, runs, samples
out, machine, clients = sys.argv[1], sys.argv[2], int(sys.argv[3])
recorded = [json.loads(l) for l in open(f"{out}/floor.jsonl")]
floors = [f for f in recorded if not f["tag"].startswith("warmup")]
def fmean(per, key):
    v = [f[key] for f in floors if f["frames_per_write"] == per and not f.get("paced_writes_per_second")]
    return sum(v) / len(v)
def paced(per, wps, key):
    """The paced floor's mean at this many writes per second (None when it was not run)."""
    v = [f[key] for f in floors if f["frames_per_write"] == per and f.get("paced_writes_per_second") == wps]
    return sum(v) / len(v) if v else None
w1, r1 = fmean(1, "writer_cpu_us_per_write"), fmean(1, "reader_cpu_us_per_read")
w10, r10 = fmean(10, "writer_cpu_us_per_frame"), fmean(10, "reader_cpu_us_per_frame")
sirq1 = fmean(1, "machine_softirq_us_per_frame")
print(f"Machine: {machine}; load average at start {open('/proc/loadavg').read().split()[0]} (shared)\n")
print("| floor (mean of the runs before and after; the warm-up round not counted) | writer µs CPU | reader µs CPU | machine softirq µs |")
print("|---|---|---|---|")
print(f"| one 200-byte frame per write, {floors[0]['sockets']} sockets | {w1:.2f} per write | {r1:.2f} per read | {sirq1:.2f} per frame |")
print(f"| ten frames per write | {w10:.2f} per frame | {r10:.2f} per frame | {fmean(10, 'machine_softirq_us_per_frame'):.2f} per frame |")
for per, wps in sorted({(f["frames_per_write"], f["paced_writes_per_second"]) for f in floors if f.get("paced_writes_per_second")}):
    print(f"| paced: {wps:,.0f} writes/s of {per} frame(s), groups of {next(f['group'] for f in floors if f.get('paced_writes_per_second') == wps)} | "
          f"{paced(per, wps, 'writer_cpu_us_per_frame'):.2f} per frame | {paced(per, wps, 'reader_cpu_us_per_frame'):.2f} per frame | "
          f"{paced(per, wps, 'machine_softirq_us_per_frame'):.2f} per frame |")
for f in recorded:
    print(f"<!-- {f['tag']}: {json.dumps(f)} -->")
spread = lambda key: ", ".join(f"{f['tag']} {f[key]:.2f}" for f in recorded if f.get("paced_writes_per_second"))
print(f"\nPaced floor, each round (writer / reader µs per frame): {spread('writer_cpu_us_per_frame')} / {spread('reader_cpu_us_per_frame')}")
print()
# A run publishing one event per request is held against one frame per write; a batched
# run (several events reach a socket together) against ten frames per write.
# The paced floor (same offered load, both sides sleeping between groups) beside it.
print("| run | binary | deliveries/s (steady) | server µs/delivery | ÷ floor write | ÷ paced write | generator µs/delivery | ÷ floor read | ÷ paced read | generator ÷ server | floor used | machine softirq share | event_delivery p50 / p99 | errors | exit |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for name, binary, d, rep, (rate, batch) in runs(out):
    rate, batch = float(rate.removesuffix("/s")), int(batch)
    ph = rep["phases"]; run0 = epoch(ph[0]["start"])
    st = next(p for p in ph if p["name"] == "steady")
    a, b = epoch(st["start"]) + 2, epoch(st["end"])   # skip the first 2 s (publishers starting)
    srows, grows = samples(f"{d}/server-rss.txt", a, b), samples(f"{d}/generator-rss.txt", a, b)
    scpu, gcpu, t0, t1 = cpu_us(srows), cpu_us(grows), srows[0][0], srows[-1][0]
    secs = [s for s in rep.get("time_series", []) if t0 - run0 < s["t"] <= t1 - run0]
    deliveries = sum(s["events_per_second"] for s in secs) * (t1 - t0) / max(len(secs), 1)
    s0 = list(map(int, open(f"{d}.stat-start").read().split()[1:9])) if os.path.exists(f"{d}.stat-start") else None
    s1 = list(map(int, open(f"{d}.stat-end").read().split()[1:9]))
    share = (s1[6] - s0[6]) / max(sum(s1) - sum(s0), 1) if s0 else float("nan")
    e = rep.get("metrics", {}).get("event_delivery", {})
    per_s = deliveries / (t1 - t0)
    su, gu = scpu / deliveries, gcpu / deliveries
    errors = sum(rep.get("errors_by_code", {}).values())
    fw, fr, used = (w10, r10, "10 frames/write") if batch > 1 else (w1, r1, "1 frame/write")
    wps = float(int(clients * rate / batch))
    pw, pr = paced(batch, wps, "writer_cpu_us_per_frame"), paced(batch, wps, "reader_cpu_us_per_frame")
    ratio = lambda x, f: f"{x / f:.2f}×" if f else "–"
    print(f"| {name} | {binary} | {per_s:,.0f} | {su:.2f} | {su / fw:.2f}× | {ratio(su, pw)} | {gu:.2f} | {gu / fr:.2f}× | {ratio(gu, pr)} | {gu / su:.2f} | {used} | {share:.1%} | "
          f"{e.get('p50', 0):.2f} / {e.get('p99', 0):.2f} ms | {errors} | {rep.get('exit_code')} |")
PY
echo "raw outputs: $BENCH_OUT" >&2
