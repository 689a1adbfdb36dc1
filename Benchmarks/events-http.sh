#!/usr/bin/env bash
# The event hub at a city's volume (issue 10, "Must show"), release build, wrk on
# loopback sharing the 2 cores with the server:
#  1. For 1,000 and 1,000,000 stored events (seeded straight into the operational
#     database with `citytwin-bench events seed`, a fresh copy of the sample city
#     each): POST /v1/events (wrk -t2 -c8, random points and types in the city),
#     GET /v1/events?limit=50 first page and 100th page (cursor walked with curl),
#     server RSS after start and at the end; side by side, with the ratio of POST
#     throughput and the RSS difference. wrk -c8 measures at saturation (latency
#     there is queueing: 8 connections / throughput); latency at a stated rate is
#     measured paced (wrk's delay()): POSTs at about 500/s, pages at about 100/s.
#  2. With the server holding the 1M-event database: `citytwin import` of 1.2M bike
#     points into the same main database by another process, and meanwhile three
#     wrk loads at once: /v1/locate at random points, one cached tile, POST /v1/events.
# No config and no token: loopback writes are accepted.
# Usage: Benchmarks/events-http.sh [post-seconds]   (env: COUNTS, PORT, PAGE_DUR, LOAD_SECONDS, BIKES, SKIP_BUILD=1)
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-20}
PAGE_DUR=${PAGE_DUR:-10}
LOAD_DUR=${LOAD_SECONDS:-15}
PORT=${PORT:-18600}
COUNTS=${COUNTS:-"1000 1000000"}
BASE=$PWD/bench-data/events.sqlite
WORK=$PWD/bench-data/events
BIKES=${BIKES:-1200000}
# The sample city's extent (lon 104.03–104.17, lat 30.58–30.72).
MINX=104.03 MAXX=104.17 MINY=30.58 MAXY=30.72
export MINX MAXX MINY MAXY
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
# Others build in this tree too: one swift build at a time.
if [ -z "${SKIP_BUILD:-}" ]; then
  flock /tmp/swift.lock swift build -c release --product citytwin >/dev/null
  flock /tmp/swift.lock swift build -c release --product citytwin-bench >/dev/null
fi
BIN=$PWD/.build/release/citytwin
mkdir -p "$WORK"
[ -f "$BASE" ] || "$BIN" load --db "$BASE" GeoData >/dev/null

URL="http://127.0.0.1:$PORT"
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true; }
trap cleanup EXIT

cat > "$WORK/post.lua" <<'LUA'
-- POST /v1/events: a random type at a random point inside the city.
local types = {"井盖缺失", "管道破裂", "道路积水", "火情", "占道经营", "违章停车",
               "噪音扰民", "垃圾堆放", "共享单车乱停放", "路灯损坏", "绿化损坏"}
local minx, maxx = tonumber(os.getenv("MINX")), tonumber(os.getenv("MAXX"))
local miny, maxy = tonumber(os.getenv("MINY")), tonumber(os.getenv("MAXY"))
local n = 0
function setup(thread) n = n + 1; thread:set("tid", n) end
function init(args) math.randomseed(os.time() * 100 + (tid or 0)) end
request = function()
  local body = string.format('{"type":"%s","description":"wrk event","lon":%.6f,"lat":%.6f,"source":"wrk"}',
    types[math.random(#types)], minx + math.random() * (maxx - minx), miny + math.random() * (maxy - miny))
  return wrk.format("POST", "/v1/events", {["Content-Type"] = "application/json"}, body)
end
LUA
cat > "$WORK/paced.lua" <<'LUA'
-- Paced load: each connection waits PACE_MS after every answer (wrk's delay()),
-- so the offered rate is about connections / (PACE_MS + latency). POSTs like
-- post.lua when PACED_POST=1, else GET of the path given on the command line.
local types = {"井盖缺失", "管道破裂", "道路积水", "火情", "占道经营", "违章停车",
               "噪音扰民", "垃圾堆放", "共享单车乱停放", "路灯损坏", "绿化损坏"}
local minx, maxx = tonumber(os.getenv("MINX")), tonumber(os.getenv("MAXX"))
local miny, maxy = tonumber(os.getenv("MINY")), tonumber(os.getenv("MAXY"))
local pace = tonumber(os.getenv("PACE_MS") or "20")
local post = os.getenv("PACED_POST") == "1"
local n = 0
function setup(thread) n = n + 1; thread:set("tid", n) end
function init(args) math.randomseed(os.time() * 100 + 70 + (tid or 0)) end
function delay() return pace end
request = function()
  if not post then return wrk.format("GET") end
  local body = string.format('{"type":"%s","description":"paced event","lon":%.6f,"lat":%.6f,"source":"wrk"}',
    types[math.random(#types)], minx + math.random() * (maxx - minx), miny + math.random() * (maxy - miny))
  return wrk.format("POST", "/v1/events", {["Content-Type"] = "application/json"}, body)
end
LUA
cat > "$WORK/locate.lua" <<'LUA'
-- GET /v1/locate at a random point inside the city.
local minx, maxx = tonumber(os.getenv("MINX")), tonumber(os.getenv("MAXX"))
local miny, maxy = tonumber(os.getenv("MINY")), tonumber(os.getenv("MAXY"))
local n = 0
function setup(thread) n = n + 1; thread:set("tid", n) end
function init(args) math.randomseed(os.time() * 100 + 50 + (tid or 0)) end
request = function()
  return wrk.format("GET", string.format("/v1/locate?lon=%.6f&lat=%.6f",
    minx + math.random() * (maxx - minx), miny + math.random() * (maxy - miny)))
end
LUA

# wrk output → figures. p99 in ms from the latency distribution.
p99() { awk '$1 == "99%" { v = $2
  if (v ~ /us$/) { sub(/us$/, "", v); v = v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) }
  else if (v ~ /m$/) { sub(/m$/, "", v); v = v * 60000 } else if (v ~ /s$/) { sub(/s$/, "", v); v = v * 1000 }
  printf "%.2f", v }' <<< "$1"; }
rps() { awk '/Requests\/sec/ { printf "%.0f", $2 }' <<< "$1"; }
# "socket errors (connect+read+write) / timeouts / non-2xx"
errors() { awk '/Socket errors/ { gsub(",", ""); s = $4 + $6 + $8; t = $10 } /Non-2xx/ { n = $5 }
  END { printf "%d/%d/%d", s, t, n }' <<< "$1"; }
rss_mb() { awk '{ printf "%.0f", $1 / 1024 }' < <(ps -o rss= -p "$SERVER"); }
stored() { curl -sf "$URL/v1/events/stats?group_by=status" | python3 -c 'import sys, json; print(sum(g["count"] for g in json.load(sys.stdin)["groups"]))'; }

start_server() {   # $1 = main database
  "$BIN" serve --db "$1" --port "$PORT" >"$WORK/serve-$(basename "$1" .sqlite).log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 300); do curl -sf "$URL/health" >/dev/null && break; sleep 0.5; done
  curl -sf "$URL/health" >/dev/null || { echo "server did not start"; tail "$WORK/serve-$(basename "$1" .sqlite).log"; exit 1; }
  sleep 3   # background work at start (geocoder index, first escalation sweep)
}
stop_server() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=; }

declare -A R
for N in $COUNTS; do
  DB=$WORK/events-$N.sqlite
  rm -f "$DB" "$DB-wal" "$DB-shm" "${DB%.sqlite}-ops.sqlite"*
  cp "$BASE" "$DB"
  echo "== $N stored events"
  "$BIN-bench" events seed --db "$DB" --count "$N" | tee "$WORK/seed-$N.txt"
  R[$N,seed]=$(grep -o '[0-9]* events/s' "$WORK/seed-$N.txt" | head -1)
  start_server "$DB"
  R[$N,stored]=$(stored)
  R[$N,rss0]=$(rss_mb)
  wrk -t2 -c8 -d3s -s "$WORK/post.lua" "$URL" >/dev/null   # warm-up
  OUT=$(wrk -t2 -c8 -d"${DUR}s" --latency -s "$WORK/post.lua" "$URL"); echo "$OUT" > "$WORK/post-$N.txt"
  R[$N,post]=$(rps "$OUT"); R[$N,postp99]=$(p99 "$OUT"); R[$N,posterr]=$(errors "$OUT")
  # Latency at about 500 events/s offered (12 connections, 20 ms pause after each answer).
  OUT=$(PACED_POST=1 PACE_MS=20 wrk -t2 -c12 -d"${DUR}s" --latency -s "$WORK/paced.lua" "$URL"); echo "$OUT" > "$WORK/paced-post-$N.txt"
  R[$N,ppost]=$(rps "$OUT"); R[$N,ppostp99]=$(p99 "$OUT"); R[$N,pposterr]=$(errors "$OUT")
  R[$N,rss1]=$(rss_mb)
  R[$N,after]=$(stored)
  OUT=$(wrk -t2 -c8 -d"${PAGE_DUR}s" --latency "$URL/v1/events?limit=50"); echo "$OUT" > "$WORK/page1-$N.txt"
  R[$N,p1]=$(p99 "$OUT"); R[$N,p1rps]=$(rps "$OUT"); R[$N,p1err]=$(errors "$OUT")
  # A dispatch room's load: about 100 pages/s (2 connections, 20 ms pause).
  OUT=$(PACE_MS=20 wrk -t1 -c2 -d"${PAGE_DUR}s" --latency -s "$WORK/paced.lua" "$URL/v1/events?limit=50"); echo "$OUT" > "$WORK/paced-page1-$N.txt"
  R[$N,pp1]=$(p99 "$OUT"); R[$N,pp1rps]=$(rps "$OUT")
  # The 100th page: follow `next` 99 times.
  path="/v1/events?limit=50"
  for _ in $(seq 1 99); do
    next=$(curl -sf "$URL$path" | python3 -c 'import sys, json, urllib.parse; n = json.load(sys.stdin)["next"]; print(urllib.parse.quote(n, safe="") if n else "")')
    [ -n "$next" ] || { echo "ran out of pages"; break; }
    path="/v1/events?limit=50&cursor=$next"
  done
  R[$N,p100count]=$(curl -sf "$URL$path" | python3 -c 'import sys, json; print(json.load(sys.stdin)["count"])')
  OUT=$(wrk -t2 -c8 -d"${PAGE_DUR}s" --latency "$URL$path"); echo "$OUT" > "$WORK/page100-$N.txt"
  R[$N,p100]=$(p99 "$OUT"); R[$N,p100rps]=$(rps "$OUT"); R[$N,p100err]=$(errors "$OUT")
  OUT=$(PACE_MS=20 wrk -t1 -c2 -d"${PAGE_DUR}s" --latency -s "$WORK/paced.lua" "$URL$path"); echo "$OUT" > "$WORK/paced-page100-$N.txt"
  R[$N,pp100]=$(p99 "$OUT"); R[$N,pp100rps]=$(rps "$OUT")
  R[$N,rss2]=$(rss_mb)
  LAST_N=$N
  [ "$N" = "$(echo $COUNTS | awk '{print $NF}')" ] || stop_server
done

echo
echo "event hub over HTTP, release build, wrk on loopback sharing 2 cores with the server"
echo "POST: wrk -t2 -c8 -d${DUR}s (one event per request, random type and point); pages: wrk -t2 -c8 -d${PAGE_DUR}s, limit=50"
echo "errors = socket errors / timeouts / non-2xx"
printf "%-34s" ""; for N in $COUNTS; do printf "%22s" "$N seeded"; done; echo
row() { printf "%-34s" "$1"; for N in $COUNTS; do printf "%22s" "${R[$N,$2]}"; done; echo; }
row "seeding (no HTTP)" seed
row "stored events at start" stored
row "stored events after POSTs" after
row "POST /v1/events events/s" post
row "POST p99 ms" postp99
row "POST errors" posterr
row "paced POST events/s (~500 offered)" ppost
row "paced POST p99 ms" ppostp99
row "paced POST errors" pposterr
row "GET first page p99 ms" p1
row "GET first page req/s" p1rps
row "GET first page errors" p1err
row "paced first page req/s" pp1rps
row "paced first page p99 ms" pp1
row "GET 100th page p99 ms" p100
row "GET 100th page req/s" p100rps
row "GET 100th page errors" p100err
row "paced 100th page req/s" pp100rps
row "paced 100th page p99 ms" pp100
row "RSS MB after start" rss0
row "RSS MB after POSTs" rss1
row "RSS MB at the end" rss2
set -- $COUNTS
if [ $# -ge 2 ]; then
  LO=$1; HI=${!#}
  awk -v a="${R[$HI,post]}" -v b="${R[$LO,post]}" -v lo="$LO" -v hi="$HI" \
    'BEGIN { printf "POST events/s %s / %s = %.2f (goal >= 0.8)\n", hi, lo, a / b }'
  echo "RSS at the end $HI - $LO = $(( ${R[$HI,rss2]} - ${R[$LO,rss2]} )) MB (goal <= +200); after start: $(( ${R[$HI,rss0]} - ${R[$LO,rss0]} )) MB"
fi
echo "goals: POST >= 500 events/s and p99 <= 20 ms at 1M; first and 100th page p99 <= 20 ms; zero errors"

# ---- 2. An import by another process while the server works -------------------
DB=$WORK/events-$LAST_N.sqlite
CSV=$WORK/bikes-$BIKES.csv
[ -f "$CSV" ] || python3 - "$CSV" "$BIKES" <<'PY'
import os, random, sys
path, n = sys.argv[1], int(sys.argv[2])
minx, maxx, miny, maxy = (float(os.environ[k]) for k in ("MINX", "MAXX", "MINY", "MAXY"))
r = random.Random(11)
ops = ["美团", "哈啰", "青桔"]
with open(path, "w", encoding="utf-8") as f:
    f.write("bike_id,operator,lon,lat\n")
    f.writelines(f"BB{i:08d},{ops[i % 3]},{r.uniform(minx, maxx):.6f},{r.uniform(miny, maxy):.6f}\n" for i in range(n))
PY
read -r TX TY < <(python3 -c 'import math; z = 15; lon, lat = 104.1, 30.65; n = 2 ** z; r = math.radians(lat)
print(int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(r)) / math.pi) / 2 * n))')
TILE="/tiles/grids,roads/15/$TX/$TY.mvt"
TILE_CODE=$(curl -s -o "$WORK/tile.mvt" -w '%{http_code}' "$URL$TILE")
curl -s -o /dev/null "$URL$TILE"   # second fetch: from the cache
TILE_BYTES=$(stat -c %s "$WORK/tile.mvt")
OPS_BEFORE=$(stored)
RSS_BEFORE=$(rss_mb)

# Baseline: the same three loads without an import.
load3() {   # $1 = tag
  wrk -t1 -c4 -d"${LOAD_DUR}s" --latency -s "$WORK/locate.lua" "$URL" > "$WORK/$1-locate.txt" &
  local a=$!
  wrk -t1 -c4 -d"${LOAD_DUR}s" --latency "$URL$TILE" > "$WORK/$1-tile.txt" &
  local b=$!
  # Posts paced (about 400/s offered, more than a city's hotline by far): saturating
  # POSTs would measure how two cores are shared, not whether the import stalls anything.
  PACED_POST=1 PACE_MS=20 wrk -t1 -c12 -d"${LOAD_DUR}s" --latency -s "$WORK/paced.lua" "$URL" > "$WORK/$1-post.txt" &
  local c=$!
  wait $a $b $c
}
load3 quiet

fastpath() { curl -sf "$URL/metrics" | awk '/^citytwin_tiles_served_from_cache_fast_path/ { print $2 }'; }
FP0=$(fastpath)
IMPORT_LOG=$WORK/import.log
rm -f "$WORK/import.end"
T0=$(date +%s.%N)
( "$BIN" import "$CSV" --layer bikes_bench --role bike --db "$DB" > "$IMPORT_LOG" 2>&1; echo $? > "$WORK/import.rc"; date +%s.%N > "$WORK/import.end" ) &
IMPORTER=$!
sleep 1
L0=$(date +%s.%N)
load3 busy
L1=$(date +%s.%N)
RUNNING_AT_END=$([ -f "$WORK/import.end" ] && echo no || echo yes)
wait $IMPORTER
T1=$(cat "$WORK/import.end")
RSS_AFTER=$(rss_mb)
FP1=$(fastpath)
TILE_REQS=$(awk '/requests in/ { print $1 }' "$WORK/busy-tile.txt")

echo
echo "during an import by another process: citytwin import of $BIKES bike points (CSV) into $(basename "$DB"),"
echo "server holding $OPS_BEFORE events; three wrk loads at once for ${LOAD_DUR}s, started 1 s after the import:"
echo "  /v1/locate at random points (wrk -t1 -c4), cached tile $TILE ($TILE_CODE, $TILE_BYTES bytes; -t1 -c4), POST /v1/events paced (-t1 -c12, 20 ms pause)"
printf "%-24s %14s %10s %18s %14s %10s %18s\n" "" "quiet p99 ms" "req/s" "errors" "import p99 ms" "req/s" "errors"
for k in locate tile post; do
  Q=$(cat "$WORK/quiet-$k.txt"); B=$(cat "$WORK/busy-$k.txt")
  printf "%-24s %14s %10s %18s %14s %10s %18s\n" "$k" "$(p99 "$Q")" "$(rps "$Q")" "$(errors "$Q")" "$(p99 "$B")" "$(rps "$B")" "$(errors "$B")"
done
awk -v t0="$T0" -v t1="$T1" -v l0="$L0" -v l1="$L1" -v rc="$(cat "$WORK/import.rc")" -v still="$RUNNING_AT_END" \
  'BEGIN { printf "import: %.1f s (exit %s); loads ran from %.1f s to %.1f s after its start; import still running when the loads ended: %s\n", t1 - t0, rc, l0 - t0, l1 - t0, still }'
grep -E "imported|read" "$IMPORT_LOG" | tail -2 | sed 's/^/import: /'
echo "cached tile: $TILE_REQS tile requests during the import, $(( ${FP1:-0} - ${FP0:-0} )) answered from the cache fast path"
echo "server RSS: $RSS_BEFORE MB before, $RSS_AFTER MB after the import (the snapshot reload takes in the new layer)"
echo "goals: locate and cached tile p99 <= 25 ms, POST p99 <= 100 ms, zero errors or timeouts (socket errors / timeouts / non-2xx)"
grep -iE "error|warn|reload" "$WORK/serve-$(basename "$DB" .sqlite).log" | tail -5 | sed 's/^/server log: /' || true
