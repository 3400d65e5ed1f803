#!/usr/bin/env bash
# Does `stampede run --dashboard` slow the run? The same scenario PAIRS times
# without and with the dashboard, alternating (so machine noise hits both
# sides alike); during the "with" runs a headless Chromium keeps the page
# open, so the server-sent events are really written. Release build.
# Prints one line per run and a summary; raw reports in reports/bench/dashboard-<time>/.
#
# Usage: scripts/bench-dashboard.sh [SCENARIO] [PAIRS]   (default scenarios/ci/fanout.yaml, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-scenarios/ci/fanout.yaml}
pairs=${2:-3}
bin=.build/release/stampede
[[ -x $bin ]] || { echo "build first: swift build -c release --product stampede" >&2; exit 2; }
browser=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
[[ -n $browser ]] || { echo "bench-dashboard: chromium not found" >&2; exit 2; }
out=reports/bench/dashboard-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
port=${DASHBOARD_PORT:-5665}

for i in $(seq 1 "$pairs"); do
  cat /proc/loadavg >"$out/loadavg-$i.txt"
  timeout 180 "$bin" run "$scenario" --progress quiet --out "$out/without-$i" >"$out/without-$i.log" 2>&1 || true

  timeout 180 "$bin" run "$scenario" --progress quiet --dashboard "$port" --out "$out/with-$i" >"$out/with-$i.log" 2>&1 &
  run=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
    sleep 0.1
  done
  profile=$(mktemp -d)
  timeout 180 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
    --user-data-dir="$profile" --remote-debugging-port=0 "http://127.0.0.1:$port/" >"$out/chromium-$i.log" 2>&1 &
  watcher=$!
  wait "$run" || true
  kill "$watcher" 2>/dev/null || true
  wait "$watcher" 2>/dev/null || true
  rm -rf "$profile"
done

python3 - "$out" "$pairs" <<'PY'
import json, sys, statistics
out, pairs = sys.argv[1], int(sys.argv[2])
rows = {"without": [], "with": []}
for side in rows:
    for i in range(1, pairs + 1):
        r = json.load(open(f"{out}/{side}-{i}/report.json"))
        d = r["metrics"]["event_delivery"]
        received = r["counters"].get("events_received", 0)
        steady = [s for s in r["time_series"] if s["events_per_second"] > 0]
        rate = statistics.mean(s["events_per_second"] for s in steady) if steady else 0
        rows[side].append((received, rate, d["p50"], d["p99"], r["generator_health"]["cpu_percent"], r["verdict"]))
        print(f"{side:8} run {i}: deliveries {received:7d}  {rate:8.0f}/s  p50 {d['p50']:7.2f} ms  p99 {d['p99']:7.2f} ms  "
              f"cpu {r['generator_health']['cpu_percent']:5.0f}%  {r['verdict']}")
for side, v in rows.items():
    print(f"{side:8} median: deliveries {statistics.median(x[0] for x in v):9.0f}  {statistics.median(x[1] for x in v):8.0f}/s  "
          f"p50 {statistics.median(x[2] for x in v):7.2f} ms  p99 {statistics.median(x[3] for x in v):7.2f} ms")
PY
echo "raw: $out"
