#!/usr/bin/env bash
# The real-run proof of `stampede compare`'s significance rules (issue 15, item 4):
# N runs of scenarios/bench/compare-noise.yaml with the same binary compared pairwise
# must give no regression; one run with the search step delay doubled must be caught.
# Bounded: N × ~20 s plus one more run.
#   scripts/compare-noise.sh [N]            (default 10; needs a built stampede)
set -uo pipefail
N=${1:-10}
BIN=${STAMPEDE:-.build/release/stampede}
[ -x "$BIN" ] || BIN=.build/debug/stampede
[ -x "$BIN" ] || { echo "build stampede first (swift build)" >&2; exit 3; }
OUT=reports/compare-noise-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
SCENARIO=scenarios/bench/compare-noise.yaml
for i in $(seq 1 "$N"); do
  "$BIN" run "$SCENARIO" --out "$OUT/run-$i" --progress quiet > "$OUT/run-$i.log" 2>&1 \
    || { echo "run $i failed (exit $?), see $OUT/run-$i.log" >&2; }
done
"$BIN" run "$SCENARIO" --set step_delay=100ms --out "$OUT/slow" --progress quiet > "$OUT/slow.log" 2>&1
false_regressions=0 pairs=0
for i in $(seq 1 "$N"); do
  for j in $(seq 1 "$N"); do
    [ "$i" = "$j" ] && continue
    pairs=$((pairs + 1))
    if ! "$BIN" compare "$OUT/run-$i/report.json" "$OUT/run-$j/report.json" > "$OUT/compare-$i-$j.txt"; then
      false_regressions=$((false_regressions + 1))
      echo "false regression: run $i vs run $j"; sed -n '1,20p' "$OUT/compare-$i-$j.txt"
    fi
  done
done
caught=no
"$BIN" compare "$OUT/run-1/report.json" "$OUT/slow/report.json" > "$OUT/compare-slow.txt" || caught=yes
echo "pairs compared: $pairs, false regressions: $false_regressions"
echo "step_delay doubled caught: $caught"
cat "$OUT/compare-slow.txt"
[ "$false_regressions" = 0 ] && [ "$caught" = yes ]
