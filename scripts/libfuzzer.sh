#!/usr/bin/env bash
# libFuzzer (coverage-guided) over the pure codecs: StampedeJSON,
# SocketIOWire (less its NIO framing helper) and StampedeContract, compiled
# with swiftc -sanitize=fuzzer,address, fed by the committed corpus.
#   bash scripts/libfuzzer.sh [RUNS]   # default 200000 runs, at most LIBFUZZER_SECONDS (120)
# Crashes are written by libFuzzer as $OUT/crash-* (OUT: .build/libfuzzer);
# keep them as Tests/StampedeFuzzTests/FuzzCorpus/<kind>/regression-*.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-200000}
OUT=${LIBFUZZER_OUT:-.build/libfuzzer}
mkdir -p "$OUT/corpus"
SAN=(-sanitize=fuzzer,address -parse-as-library -O -g)
module() {  # name, sources...
  local name=$1; shift
  swiftc "${SAN[@]}" -wmo -module-name "$name" -emit-module -emit-module-path "$OUT/$name.swiftmodule" \
    -I "$OUT" -c "$@" -o "$OUT/$name.o"
}
module StampedeJSON $(find Sources/StampedeJSON -name "*.swift" | sort)
# SocketIOWire's base64 is swift-extras-base64's, compiled here from the checkout SwiftPM resolved
# (`swift build` has run before this in CI and by hand).
EXTRAS=.build/checkouts/swift-extras-base64/Sources/ExtrasBase64
[[ -d "$EXTRAS" ]] || swift package resolve >&2
SAN_SAVED=("${SAN[@]}")
SAN+=(-enable-upcoming-feature ExistentialAny -enable-upcoming-feature InternalImportsByDefault
      -enable-upcoming-feature MemberImportVisibility -enable-experimental-feature SuppressedAssociatedTypesWithDefaults
      -enable-experimental-feature Lifetimes -enable-upcoming-feature LifetimeDependence)   # its Package.swift's settings
module ExtrasBase64 "$EXTRAS"/*.swift
SAN=("${SAN_SAVED[@]}")
module SocketIOWire $(ls Sources/SocketIOWire/*.swift | grep -v WebSocketFraming)
module StampedeContract Sources/StampedeContract/*.swift
swiftc "${SAN[@]}" -I "$OUT" -module-name CodecFuzz \
  Tests/StampedeFuzzTests/Support/CodecFeeder.swift scripts/libfuzzer/CodecFuzzEntry.swift \
  "$OUT/StampedeJSON.o" "$OUT/ExtrasBase64.o" "$OUT/SocketIOWire.o" "$OUT/StampedeContract.o" -o "$OUT/codec-fuzz"
# The text seeds, placeholders as the XCTest fuzzer fills them for codecs.
for kind in socketio engineio polling json; do
  for f in Tests/StampedeFuzzTests/FuzzCorpus/$kind/*; do
    sed -e 's/{{WF}}/wf-1/g; s/{{TOKEN}}/t/g' "$f" > "$OUT/corpus/$kind-$(basename "$f")"
  done
done
"$OUT/codec-fuzz" -runs="$RUNS" -max_total_time="${LIBFUZZER_SECONDS:-120}" -seed=8 -max_len=65536 -artifact_prefix="$OUT/" -print_final_stats=1 "$OUT/corpus"
