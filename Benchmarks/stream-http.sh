#!/usr/bin/env bash
# Live stream under load (issue 12, "Must show"): a release server with the sample
# city; 500 clients follow /v1/stream?topics=event while 50 events/s are posted for
# 30 s (one Python process holds the clients and posts; it shares the 2 cores with
# the server). Reports whether every client got every event, delivery delay
# percentiles (reception minus the event's created_at) and server RSS.
# Usage: Benchmarks/stream-http.sh [clients] [rate] [seconds]
#   env: PORT, SKIP_BUILD=1, COALESCE_MS (the server's stream.coalesce_ms; 0 = one write per message)
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${1:-500}
RATE=${2:-50}
SECONDS_=${3:-30}
PORT=${PORT:-18620}
if [ -z "${SKIP_BUILD:-}" ]; then flock /tmp/swift.lock swift build -c release --product citytwin >/dev/null; fi
BIN=$PWD/.build/release/citytwin
WORK=$(mktemp -d)
"$BIN" load --db "$WORK/city.sqlite" GeoData >/dev/null
cat > "$WORK/config.yaml" <<YAML
stream:
  max_clients: $((CLIENTS + 10))
${COALESCE_MS:+  coalesce_ms: $COALESCE_MS}
YAML
"$BIN" serve --config "$WORK/config.yaml" --db "$WORK/city.sqlite" --port "$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.5; done
ulimit -n 65536 2>/dev/null || true
.venv/bin/python Benchmarks/stream_bench.py "http://127.0.0.1:$PORT" "$SERVER" "$CLIENTS" "$RATE" "$SECONDS_"
