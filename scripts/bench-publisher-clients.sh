#!/usr/bin/env bash
# The generator's publisher request (one event per POST) through the project's own HTTP/1.1
# client and through async-http-client, against the same release `stampede serve`, alternating
# runs in one sitting; prints one JSON line per run and the medians (docs/BENCHMARKS.md §9).
#   scripts/bench-publisher-clients.sh [REQUESTS] [CONCURRENCY] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${1:-20000}; CONCURRENCY=${2:-16}; ROUNDS=${3:-3}
SECRET=bench-secret
# The server is only the counterpart (both clients meet the same one); SERVER_BIN may name
# another build of it (e.g. .build/debug/stampede).
SERVER_BIN=${SERVER_BIN:-.build/release/stampede}
[[ "$SERVER_BIN" != .build/release/stampede ]] || swift build -c release --product stampede >/dev/null
(cd Benchmarks/PublisherClients && swift build -c release >/dev/null)
BENCH=Benchmarks/PublisherClients/.build/release/PublisherClients
LOG=$(mktemp)
"$SERVER_BIN" serve --port 0 --jwt-secret "$SECRET" --log-level warning >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -f "$LOG"' EXIT
for _ in $(seq 300); do grep -q "listening on" "$LOG" && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*' "$LOG" | head -1)
mint() {  # HS256 JWT for sub=$1 (role=$2 optional), one hour
  python3 - "$SECRET" "$1" "${2:-}" <<'PY'
import base64, hashlib, hmac, json, sys, time
secret, sub, role = sys.argv[1], sys.argv[2], sys.argv[3]
b = lambda d: base64.urlsafe_b64encode(json.dumps(d, separators=(",", ":")).encode()).rstrip(b"=")
claims = {"sub": sub, "iat": int(time.time()), "exp": int(time.time()) + 3600}
if role: claims["role"] = role
head = b({"alg": "HS256", "typ": "JWT"}) + b"." + b(claims)
sig = base64.urlsafe_b64encode(hmac.new(secret.encode(), head, hashlib.sha256).digest()).rstrip(b"=")
print((head + b"." + sig).decode())
PY
}
SERVICE=$(mint bench-publisher service)
OWNER=$(mint bench-owner)
WORKFLOW=$(curl -s -X POST "$URL/api/v1/workflows" -H "Authorization: Bearer $OWNER" -H 'Content-Type: application/json' \
  -d '{"type":"external"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["workflow_id"])')
RESULTS=$(mktemp)
for round in $(seq "$ROUNDS"); do
  for client in own ahc; do
    "$BENCH" "$URL" "$SERVICE" "$WORKFLOW" "$REQUESTS" "$CONCURRENCY" "$client" | tee -a "$RESULTS"
  done
done
python3 - "$RESULTS" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
for c in ("own", "ahc"):
    r = [x for x in rows if x["client"] == c]
    print(f"median {c}: {statistics.median(x['requests_per_second'] for x in r):.0f} req/s, "
          f"{statistics.median(x['cpu_us_per_request'] for x in r):.1f} µs CPU/request, failures {sum(x['failures'] for x in r)}")
PY
rm -f "$RESULTS"
