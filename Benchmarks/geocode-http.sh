#!/usr/bin/env bash
# Geocoding throughput over HTTP: wrk on loopback cycling through the
# held-out benchmark queries (`citytwin-bench geocode --query-file`), against
# a release server holding the sample city; server and wrk share the 2 cores.
# Usage: Benchmarks/geocode-http.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-10}
PORT=${PORT:-18500}
DB=${DB:-$PWD/bench-data/tiles.sqlite}
WORK=$PWD/bench-data/geocode
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
swift build -c release --product citytwin >/dev/null
swift build -c release --product citytwin-bench >/dev/null
BIN=.build/release/citytwin
mkdir -p "$WORK"
[ -f "$DB" ] || "$BIN" load --db "$DB" GeoData >/dev/null
"$BIN-bench" geocode --db "$DB" --count 3000 --query-file "$WORK/queries.txt" > "$WORK/quality.txt"
python3 - "$WORK/queries.txt" "$WORK/paths.txt" <<'PY'
import sys, urllib.parse
with open(sys.argv[1], encoding="utf-8") as f, open(sys.argv[2], "w") as out:
    for line in f:
        q = line.strip()
        if q:
            out.write("/v1/geocode?limit=1&q=" + urllib.parse.quote(q) + "\n")
PY
"$BIN" serve --db "$DB" --port "$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:$PORT/v1/geocode?q=x" >/dev/null || true   # the geocoder is built in the background at start
sleep 2
cat > "$WORK/geocode.lua" <<'LUA'
local paths, i = {}, 0
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA
PATHS="$WORK/paths.txt" wrk -t1 -c32 -d3s -s "$WORK/geocode.lua" "http://127.0.0.1:$PORT" >/dev/null   # warm-up
OUT=$(PATHS="$WORK/paths.txt" wrk -t1 -c32 -d"${DUR}s" --latency -s "$WORK/geocode.lua" "http://127.0.0.1:$PORT")
RPS=$(echo "$OUT" | awk '/Requests\/sec/ {print $2}')
echo "wrk -t1 -c32 -d${DUR}s on loopback, $(wc -l < "$WORK/paths.txt") distinct held-out queries, release build"
echo "$OUT" | grep -E "50%|99%" | sed 's/^/latency /'
echo "geocodes/s  ${RPS} (goal >= 3000)"
