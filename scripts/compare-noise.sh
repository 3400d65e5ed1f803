#!/usr/bin/env bash
# The real-run proof of `stampede compare`'s significance rules (issue 15, item 4):
# N runs of scenarios/bench/compare-noise.yaml with the same binary compared pairwise
# should give no regression; one run with the search step delay doubled must be caught.
# Then each run against the other N-1 as a noise band (several baselines), and the slow
# run against all N. Bounded: N × ~20 s plus one more run.
#   scripts/compare-noise.sh [N]            (default 10; needs a built stampede)
#   REUSE=reports/compare-noise-… scripts/compare-noise.sh   (re-judge earlier runs, no load)
set -uo pipefail
N=${1:-10}
BIN=${STAMPEDE:-.build/release/stampede}
[ -x "$BIN" ] || BIN=.build/debug/stampede
[ -x "$BIN" ] || { echo "build stampede first (swift build)" >&2; exit 3; }
OUT=${REUSE:-reports/compare-noise-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
SCENARIO=scenarios/bench/compare-noise.yaml
if [ -z "${REUSE:-}" ]; then
  for i in $(seq 1 "$N"); do
    "$BIN" run "$SCENARIO" --out "$OUT/run-$i" --progress quiet > "$OUT/run-$i.log" 2>&1 \
      || { echo "run $i failed (exit $?), see $OUT/run-$i.log" >&2; }
  done
  "$BIN" run "$SCENARIO" --set step_delay=100ms --out "$OUT/slow" --progress quiet > "$OUT/slow.log" 2>&1
fi
for i in $(seq 1 "$N"); do
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); m=r['metrics']['event_delivery']; print('run', sys.argv[2], 'event_delivery p50', m['p50'], 'p99', m['p99'], 'saturated', r['generator_health']['saturated'])" "$OUT/run-$i/report.json" "$i"
done
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
band_false=0
for i in $(seq 1 "$N"); do
  others=$(for j in $(seq 1 "$N"); do [ "$i" = "$j" ] || echo "$OUT/run-$j/report.json"; done)
  # shellcheck disable=SC2086
  "$BIN" compare $others "$OUT/run-$i/report.json" > "$OUT/band-$i.txt" \
    || { band_false=$((band_false + 1)); echo "band false regression: run $i"; sed -n '1,12p' "$OUT/band-$i.txt"; }
done
band_caught=no
# shellcheck disable=SC2046
"$BIN" compare $(for j in $(seq 1 "$N"); do echo "$OUT/run-$j/report.json"; done) "$OUT/slow/report.json" > "$OUT/band-slow.txt" || band_caught=yes
echo "pairwise: $pairs pairs, false regressions: $false_regressions; step_delay doubled caught: $caught"
echo "noise band (each run vs the other $((N - 1))): false regressions: $band_false of $N; step_delay doubled vs all $N caught: $band_caught"
cat "$OUT/band-slow.txt"
[ "$band_false" = 0 ] && [ "$band_caught" = yes ]
