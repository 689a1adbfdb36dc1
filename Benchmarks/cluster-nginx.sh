#!/usr/bin/env bash
# Locate and cached tiles through nginx in front of 1 and of 2 CityTwin instances
# sharing one PostGIS database (scripts/serve-cluster.sh starts the cluster, the
# sample city and both instances; a second nginx here proxies to instance A only).
# wrk on loopback, one connection pool, the same seeded locate points and the same
# tile list for both; every tile fetched through each instance first (both caches
# warm). On 2 shared cores a second instance adds no cores: this mostly shows what
# the second process and the proxy cost.
# Usage: Benchmarks/cluster-nginx.sh [seconds]   (env: BIN, a release build by default)
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-10}
PORT=${PORT:-18400}
ONE=$((PORT + 3))
BIN=${BIN:-.build/release/citytwin}
WORK=${WORK:-$PWD/bench-data/cluster}
LAYERS=${LAYERS:-grids,roads,buildings,pipes,bike_stations,flood_points,handlers}
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 1; }
if [ -z "${SKIP_BUILD:-}" ] && [ "$BIN" = .build/release/citytwin ]; then
  flock /tmp/swift.lock swift build -c release --product citytwin >/dev/null
fi
mkdir -p "$(dirname "$WORK")"
LOG=$(dirname "$WORK")/cluster-nginx.log
PORT=$PORT PGPORT=${PGPORT:-55491} BIN=$BIN WORK=$WORK scripts/serve-cluster.sh >"$LOG" 2>&1 &
CLUSTER=$!
ONE_PID=""
trap 'kill -TERM $CLUSTER 2>/dev/null || true; [ -n "$ONE_PID" ] && kill "$ONE_PID" 2>/dev/null || true; wait $CLUSTER 2>/dev/null || true' EXIT
for _ in $(seq 1 900); do grep -q "serve-cluster: ready" "$LOG" && break; kill -0 $CLUSTER 2>/dev/null || { cat "$LOG"; exit 1; }; sleep 1; done
grep -q "serve-cluster: ready" "$LOG" || { echo "cluster did not start" >&2; cat "$LOG"; exit 1; }

# The one-instance proxy: same settings, upstream A only.
sed -e "s/listen 127.0.0.1:$PORT;/listen 127.0.0.1:$ONE;/" -e "/server 127.0.0.1:$((PORT + 2))/d" \
    -e "s#pid $WORK/nginx.pid;#pid $WORK/nginx-one.pid;#" "$WORK/nginx.conf" > "$WORK/nginx-one.conf"
nginx -c "$WORK/nginx-one.conf"
ONE_PID=$(cat "$WORK/nginx-one.pid")

# Tiles over the sample district at z14 and z15, warmed through each instance.
python3 - "$LAYERS" > "$WORK/paths.txt" <<'PY'
import math, sys
layers = sys.argv[1]
def tile(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y
for z in (14, 15):
    x0, y1 = tile(104.045, 30.628, z)
    x1, y0 = tile(104.155, 30.713, z)
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            print(f"/tiles/{layers}/{z}/{x}/{y}.mvt")
PY
N=$(wc -l < "$WORK/paths.txt")
for p in $((PORT + 1)) $((PORT + 2)); do
  while read -r path; do curl -s -o /dev/null -H 'Accept-Encoding: gzip' "http://127.0.0.1:$p$path"; done < "$WORK/paths.txt"
done
cat > "$WORK/tiles.lua" <<'LUA'
local paths, i = {}, 0
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], { ["Accept-Encoding"] = "gzip" })
end
LUA
cat > "$WORK/locate.lua" <<'LUA'
math.randomseed(42)
request = function()
  local lon = 104.045 + math.random() * 0.11
  local lat = 30.628 + math.random() * 0.085
  return wrk.format("GET", string.format("/v1/locate?lon=%.6f&lat=%.6f", lon, lat))
end
LUA
run() { PATHS="$WORK/paths.txt" wrk -t1 -c64 -d"${DUR}s" --latency "$@" | awk '/Requests\/sec/ {r=$2} /^ +99%/ {p=$2} END {print r, p}'; }
run -s "$WORK/locate.lua" "http://127.0.0.1:$PORT" >/dev/null   # warm-up
L1=$(run -s "$WORK/locate.lua" "http://127.0.0.1:$ONE")
L2=$(run -s "$WORK/locate.lua" "http://127.0.0.1:$PORT")
T1=$(run -s "$WORK/tiles.lua" "http://127.0.0.1:$ONE")
T2=$(run -s "$WORK/tiles.lua" "http://127.0.0.1:$PORT")
LD=$(run -s "$WORK/locate.lua" "http://127.0.0.1:$((PORT + 1))")
TD=$(run -s "$WORK/tiles.lua" "http://127.0.0.1:$((PORT + 1))")
echo "wrk -t1 -c64 -d${DUR}s --latency on loopback, $(basename "$BIN") ($BIN), nginx 2 workers, $(nproc) cores shared by all"
echo "                         req/s      p99"
printf "locate  direct (no nginx) %-10s %s\n" $LD
printf "locate  nginx, 1 instance %-10s %s\n" $L1
printf "locate  nginx, 2 instances %-9s %s\n" $L2
printf "tiles   direct (no nginx) %-10s %s   ($N tiles z14-15, gzip, cached)\n" $TD
printf "tiles   nginx, 1 instance %-10s %s\n" $T1
printf "tiles   nginx, 2 instances %-9s %s\n" $T2
