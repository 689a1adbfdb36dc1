#!/usr/bin/env bash
# Live bike-share at the seed platform's volume (issue 13, "Must show"), release build:
#  1. In process (`citytwin-bench bikes`): 1.2M live bikes around the sample's 6,120
#     stations; updates/s into the live index alone, with NDJSON reading, and with the
#     SQLite store; the balance right after each batch; RSS; a moved bike in
#     /v1/within's answer and in its tile.
#  2. Over HTTP (Benchmarks/bikes_http.py against `citytwin serve`, loopback, sharing
#     the 2 cores): the same 1.2M bikes posted as NDJSON batches of 10,000, then a
#     round of updates; balance latency right after a batch; how long until a moved
#     bike shows in /v1/within and in its tile; the server's RSS.
#  3. Peer: the same rows upserted straight into SQLite (Python's sqlite3, executemany,
#     one transaction per batch, the same two tables), i.e. the storage part alone.
# No config and no token: loopback writes are accepted.
# Usage: Benchmarks/bikes-http.sh   (env: BIKES, PORT, THREADS, SKIP_BUILD=1)
set -euo pipefail
cd "$(dirname "$0")/.."
BIKES=${BIKES:-1200000}
PORT=${PORT:-18613}
THREADS=${THREADS:-2}
WORK=$PWD/bench-data/bikes
if [ -z "${SKIP_BUILD:-}" ]; then
  flock /tmp/swift.lock swift build -c release --product citytwin >/dev/null
  flock /tmp/swift.lock swift build -c release --product citytwin-bench >/dev/null
fi
BIN=$PWD/.build/release
mkdir -p "$WORK"
[ -f "$WORK/city.sqlite" ] || "$BIN/citytwin" load --db "$WORK/city.sqlite" GeoData >/dev/null

echo "== in process: citytwin-bench bikes ($BIKES bikes) =="
"$BIN/citytwin-bench" bikes --db "$WORK/city.sqlite" --bikes "$BIKES"

echo "== over HTTP: NDJSON batches of 10,000 =="
rm -f "$WORK"/city-ops.sqlite*
"$BIN/citytwin" serve --db "$WORK/city.sqlite" --port "$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.5; done
.venv/bin/python Benchmarks/bikes_http.py --url "http://127.0.0.1:$PORT" --bikes "$BIKES" --threads "$THREADS" \
  --pid "$SERVER" --stations GeoData/bike_stations.geojson --peer-db "$WORK/peer.sqlite"
