#!/usr/bin/env bash
# /metrics under load: starts `stampede serve`, runs scenarios/ci/fanout.yaml against it,
# scrapes /metrics, prints the server-side histograms next to the generator's own
# event_delivery, and lints the scrape with promtool when it is installed.
#   scripts/metrics-check.sh [STAMPEDE_BINARY]   (default .build/debug/stampede; port $PORT or 18432)
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/debug/stampede}
PORT=${PORT:-18432}
OUT=$(mktemp -d)
"$BIN" serve --port "$PORT" --max-connections-per-user 40 > "$OUT/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
"$BIN" run scenarios/ci/fanout.yaml --target "http://127.0.0.1:$PORT" --progress lines --out "$OUT/run" > "$OUT/run.log" 2>&1
echo "run exit $? (report: $OUT/run/report.json)"
curl -s "http://127.0.0.1:$PORT/metrics" > "$OUT/metrics.txt"
grep -E '^(stampede_event_delivery_seconds|stampede_publish_duration_seconds)_(bucket\{le="(0.001|0.01|0.1|0.5|\+Inf)"\}|count)|^stampede_events_|^process_' "$OUT/metrics.txt"
python3 - "$OUT/run/report.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
for k in ("event_delivery", "publish"):
    if k in m: print(f"generator {k}: count {m[k]['count']} p50 {m[k]['p50']} ms p99 {m[k]['p99']} ms max {m[k]['max']} ms")
PY
if command -v promtool >/dev/null 2>&1; then
  promtool check metrics < "$OUT/metrics.txt" && echo "promtool check metrics: clean"
else
  echo "promtool not installed (Debian package prometheus): lint skipped"
fi
