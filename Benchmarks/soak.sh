#!/usr/bin/env bash
# Soak run (issue 15): the release server on a fresh copy of the sample city under
# mixed load for MINUTES (default 10) — tiles, queries, geocoding, event posts,
# sensor readings, live-stream clients, slow and abandoning clients — with the
# bikes layer re-imported by another process half-way (the server reloads it).
# Checks no 5xx, no failed connection, RSS growth after warm-up within 10%, open
# descriptors flat (Benchmarks/soak.py). Samples: bench-data/soak/samples.csv.
# The tile cache is set to CACHE_MB (default 32) so that warm-up fills it: a cache still
# filling (256 MiB by default) grows RSS by design, which is not what this run looks for.
# Usage: Benchmarks/soak.sh [MINUTES]   (env: PORT, CACHE_MB, IMPORTS (1: half-way), SKIP_BUILD=1)
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-10}
PORT=${PORT:-18710}
CACHE_MB=${CACHE_MB:-32}
WORK=$PWD/bench-data/soak
PY=${CITYTWIN_PYTHON:-$PWD/.venv/bin/python}
[ -x "$PY" ] || PY=python3
# Others build in this tree too: one swift build at a time.
[ -n "${SKIP_BUILD:-}" ] || flock /tmp/swift.lock swift build -c release --product citytwin >/dev/null
rm -rf "$WORK" && mkdir -p "$WORK"
# A copy: another engineer's release build may replace the binary during the run.
cp .build/release/citytwin "$WORK/citytwin"
BIN=$WORK/citytwin
"$BIN" load --db "$WORK/soak.sqlite" GeoData >/dev/null
mkdir -p "$WORK/tiles"
sed "s/^cache_mb:.*/cache_mb: $CACHE_MB/" Tiles/layers.yaml > "$WORK/tiles/layers.yaml"
printf 'tiles:\n  folder: %s\n' "$WORK/tiles" > "$WORK/config.yaml"
"$BIN" serve --config "$WORK/config.yaml" --db "$WORK/soak.sqlite" --port "$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$PORT/health" >/dev/null || { echo "soak: server did not start"; tail "$WORK/serve.log"; exit 1; }
echo "soak: server pid $SERVER, release build, $(nproc) cores, tile cache $CACHE_MB MiB"
rc=0
"$PY" Benchmarks/soak.py "http://127.0.0.1:$PORT" "$SERVER" $((MINUTES * 60)) "$WORK" \
  "$BIN" import GeoData/bikes.csv --layer bikes --role bike --db "$WORK/soak.sqlite" --rejects "$WORK/bikes.rejects.geojsonl" \
  || rc=$?

{ grep -ciE "error|fatal" "$WORK/serve.log" || true; } | sed 's/^/soak: server log lines with error\/fatal: /'
exit $rc
