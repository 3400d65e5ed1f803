#!/usr/bin/env bash
# Separate hosts on one machine: Linux network namespaces joined by veth pairs to a bridge that
# lives in its own namespace. `stampede serve` runs in one namespace; the same scenario runs
#   1. as one process (from the first shard's namespace, all clients), then
#   2. prepare → 3 shards in 3 namespaces with a common --start-at and --defer-verdict → merge,
# and the merged verdict must agree with the single process: deliveries and check observations
# within 1%, every check the same. Everything is torn down on exit, whatever happened.
#
#   sudo scripts/netns-lab.sh [STAMPEDE_BINARY] [OUT_DIR]
#
# Needs root and `ip netns` (Debian: iproute2). Exit 0 agreed, 1 disagreed or failed,
# 77 the facility is missing (not root, no iproute2, or the kernel refuses namespaces).
set -euo pipefail
cd "$(dirname "$0")/.."

STAMPEDE=${1:-.build/release/stampede}
OUT=${2:-reports/netns-lab}
SCENARIO=${LAB_SCENARIO:-scenarios/lab/netns-fanout.yaml}
# Scenario variables for every run, e.g. LAB_SET="clients=3000 users=150 rate=2/s".
SETS=()
for kv in ${LAB_SET:-}; do SETS+=(--set "$kv"); done
SHARDS=3
SUBNET=10.77.0
PORT=8080
TAG=stl$$                       # namespace/interface prefix, unique per run
BR_NS=$TAG-br
SRV_NS=$TAG-srv
SERVER_PID=

STAMPEDE=$(readlink -f "$STAMPEDE")
[ -x "$STAMPEDE" ] || { echo "netns-lab: no stampede binary at $STAMPEDE (build it first)"; exit 1; }

skip() { echo "netns-lab: SKIPPED — $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
command -v ip >/dev/null || skip "no 'ip' command (apt-get install iproute2)"
ip netns add "$TAG-probe" 2>/dev/null || skip "'ip netns add' is refused here (no CAP_SYS_ADMIN or no netns support)"
ip netns del "$TAG-probe"

namespaces=("$BR_NS" "$SRV_NS")
for i in $(seq 0 $((SHARDS - 1))); do namespaces+=("$TAG-s$i"); done

teardown() {
  set +e
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  for ns in "${namespaces[@]}"; do
    # Anything still running inside (a shard that hung) goes with its namespace.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
}
trap teardown EXIT
trap 'exit 143' TERM INT   # so a timeout still tears down

# host NAME ADDRESS: a namespace with one veth leg on the bridge.
host() {
  local ns=$1 addr=$2 leg=${1#"$TAG"-}
  ip netns add "$ns"
  ip link add "$TAG$leg" type veth peer name "$TAG${leg}b"
  ip link set "$TAG$leg" netns "$ns"
  ip link set "$TAG${leg}b" netns "$BR_NS"
  ip -n "$BR_NS" link set "$TAG${leg}b" master br0 up
  ip -n "$ns" addr add "$addr/24" dev "$TAG$leg"
  ip -n "$ns" link set "$TAG$leg" up
  ip -n "$ns" link set lo up
}

echo "=== namespaces: bridge $BR_NS, server $SRV_NS ($SUBNET.10), shards $TAG-s0..s$((SHARDS - 1))"
ip netns add "$BR_NS"
ip -n "$BR_NS" link add br0 type bridge
ip -n "$BR_NS" link set br0 up
host "$SRV_NS" "$SUBNET.10"
for i in $(seq 0 $((SHARDS - 1))); do
  host "$TAG-s$i" "$SUBNET.$((11 + i))"
  # Each "host" its own ephemeral port range, as separate machines would have.
  ip netns exec "$TAG-s$i" sysctl -qw net.ipv4.ip_local_port_range="$((20000 + i * 10000)) $((29999 + i * 10000))"
done

# on NS CMD…: run CMD on the "host" NS — its network namespace and, with util-linux's unshare,
# its own host name (the reports record the host).
on() {
  local ns=$1; shift
  if command -v unshare >/dev/null; then
    ip netns exec "$ns" unshare --uts bash -c 'hostname "$0" && exec "$@"' "lab-${ns#"$TAG"-}" "$@"
  else
    ip netns exec "$ns" "$@"
  fi
}

rm -rf "$OUT"
mkdir -p "$OUT"
TARGET="http://$SUBNET.10:$PORT"
on "$SRV_NS" "$STAMPEDE" serve --host 0.0.0.0 --port "$PORT" >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
# Reachable from another "host" over the bridge (bash's /dev/tcp: no curl needed).
reachable() { ip netns exec "$TAG-s0" bash -c "exec 3<>/dev/tcp/$SUBNET.10/$PORT" 2>/dev/null; }
for _ in $(seq 1 100); do reachable && break; sleep 0.1; done
reachable || { echo "netns-lab: the server did not come up"; cat "$OUT/server.log"; exit 1; }

echo "=== single process: the whole scenario from $TAG-s0"
single_rc=0
on "$TAG-s0" "$STAMPEDE" run "$SCENARIO" "${SETS[@]}" --target "$TARGET" --progress quiet --out "$OUT/single" || single_rc=$?
echo "single process exit $single_rc"

echo "=== prepare once"
on "$TAG-s0" "$STAMPEDE" run "$SCENARIO" "${SETS[@]}" --target "$TARGET" --prepare-only --out "$OUT/prepared"

START_AT=$(( $(date +%s) + 5 ))
echo "=== $SHARDS shards, --start-at $START_AT ($(date -u -d "@$START_AT" +%H:%M:%SZ))"
pids=()
for i in $(seq 0 $((SHARDS - 1))); do
  on "$TAG-s$i" "$STAMPEDE" run "$SCENARIO" "${SETS[@]}" --target "$TARGET" --shard "$i/$SHARDS" \
    --workflow-ids "@$OUT/prepared/workflows.json" --start-at "$START_AT" --defer-verdict \
    --progress quiet --out "$OUT/shard-$i" >"$OUT/shard-$i.log" 2>&1 &
  pids+=($!)
done
shard_failed=0
for i in "${!pids[@]}"; do
  rc=0; wait "${pids[$i]}" || rc=$?
  echo "shard $i/$SHARDS exit $rc"; [ "$rc" = 0 ] || { shard_failed=1; cat "$OUT/shard-$i.log"; }
done

echo "=== merge"
merge_rc=0
shard_dirs=(); for i in $(seq 0 $((SHARDS - 1))); do shard_dirs+=("$OUT/shard-$i"); done
"$STAMPEDE" report merge "${shard_dirs[@]}" --expect-shards "$SHARDS" --out "$OUT/merged" || merge_rc=$?
echo "merge exit $merge_rc (single process exit $single_rc)"

echo "=== refusals: a missing shard and a duplicate shard"
refused=0
"$STAMPEDE" report merge "${shard_dirs[@]:0:2}" --expect-shards "$SHARDS" --out "$OUT/refused" >/dev/null 2>&1 || refused=$((refused + 1))
"$STAMPEDE" report merge "${shard_dirs[0]}" "${shard_dirs[0]}" "${shard_dirs[2]}" --expect-shards "$SHARDS" --out "$OUT/refused" >/dev/null 2>&1 || refused=$((refused + 1))
echo "refused $refused of 2"

status=0
python3 scripts/netns-lab-compare.py "$OUT" "$SHARDS" "$single_rc" "$merge_rc" | tee "$OUT/summary.md" || status=1
[ "$shard_failed" = 0 ] || { echo "netns-lab: a shard failed"; status=1; }
[ "$refused" = 2 ] || { echo "netns-lab: an incomplete shard set was merged"; status=1; }
exit $status
