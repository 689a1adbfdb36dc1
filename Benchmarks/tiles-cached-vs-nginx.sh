#!/usr/bin/env bash
# Cached tile serving: CityTwin (tiles already in its cache) against nginx
# serving the very same tile bytes as static files, with wrk on loopback
# cycling through the same list of tile URLs (2 cores shared by server and
# wrk; nginx runs 2 workers, CityTwin its default event loops).
# Usage: Benchmarks/tiles-cached-vs-nginx.sh [seconds]   (ROUNDS=n alternating rounds, median printed)
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-10}
PORT=${PORT:-18200}
NGINX_PORT=${NGINX_PORT:-18201}
LAYERS=${LAYERS:-grids,roads,buildings,pipes,bike_stations,flood_points,handlers}
DB=${DB:-$PWD/bench-data/tiles.sqlite}
WORK=$PWD/bench-data/nginx
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
command -v nginx >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light
# Builds take the machine-wide lock (other builds share these cores); SKIP_BUILD=1
# when the caller built already.
if [ -z "${SKIP_BUILD:-}" ]; then
  flock /tmp/swift.lock swift build -c release --product citytwin >/dev/null
  flock /tmp/swift.lock swift build -c release --product citytwin-bench >/dev/null
fi
BIN=.build/release/citytwin
mkdir -p bench-data
[ -f "$DB" ] || "$BIN" load --db "$DB" GeoData >/dev/null
rm -rf "$WORK"; mkdir -p "$WORK/www"

"$BIN" serve --db "$DB" --port "$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 1; done

# The same seeded tile list as `citytwin-bench tiles`; keep the non-empty tiles,
# saving each one (this also fills CityTwin's cache).
"$BIN-bench" tiles --db "$DB" --layers "$LAYERS" --runs 1 --tile-list "$WORK/list.txt" >/dev/null
: > "$WORK/paths.txt"
while read -r t; do
  path="/tiles/$LAYERS/$t.mvt"
  mkdir -p "$WORK/www$(dirname "$path")"
  code=$(curl -s -o "$WORK/www$path" -w '%{http_code}' "http://127.0.0.1:$PORT$path")
  if [ "$code" = 200 ]; then
    echo "$path" >> "$WORK/paths.txt"
    # The gzip form CityTwin serves, for nginx's gzip_static.
    curl -s -H 'Accept-Encoding: gzip' -o "$WORK/www$path.gz" "http://127.0.0.1:$PORT$path"
  else rm -f "$WORK/www$path"; fi
done < "$WORK/list.txt"
N=$(wc -l < "$WORK/paths.txt")

cat > "$WORK/nginx.conf" <<CONF
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  open_file_cache max=10000 inactive=60s;
  types { application/vnd.mapbox-vector-tile mvt; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WORK/www;
    gzip_static on;
    gzip_vary on;
    add_header Access-Control-Allow-Origin *;
  }
}
CONF
nginx -c "$WORK/nginx.conf"
sleep 0.5

cat > "$WORK/tiles.lua" <<'LUA'
local paths, i = {}, 0
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA
run() { PATHS="$WORK/paths.txt" wrk -t1 -c64 -d"${DUR}s" -s "$WORK/tiles.lua" "$@" | awk '/Requests\/sec/ {print $2}'; }
run "http://127.0.0.1:$PORT" >/dev/null; run "http://127.0.0.1:$NGINX_PORT" >/dev/null   # warm-up
RAW=$(cat "$WORK/paths.txt" | while read -r p; do stat -c %s "$WORK/www$p"; done | awk '{s+=$1} END {print int(s/NR/1024)}')
GZ=$(cat "$WORK/paths.txt" | while read -r p; do stat -c %s "$WORK/www$p.gz"; done | awk '{s+=$1} END {print int(s/NR/1024)}')
echo "wrk -t1 -c64 -d${DUR}s on loopback, $N distinct tiles (mean ${RAW} KiB, ${GZ} KiB gzipped), layers $LAYERS"
# ROUNDS alternating rounds (citytwin, nginx, citytwin, nginx …): on a shared VM the host's
# speed drifts over a minute, so each ratio compares neighbours in time; the median of the
# rounds is the figure, every round is printed.
ROUNDS=${ROUNDS:-1}
GZ_RATIOS=() ID_RATIOS=()
for r in $(seq 1 "$ROUNDS"); do
  # As browsers ask (gzip accepted), then without compression.
  OURS_GZ=$(run -H 'Accept-Encoding: gzip' "http://127.0.0.1:$PORT")
  NGINX_GZ=$(run -H 'Accept-Encoding: gzip' "http://127.0.0.1:$NGINX_PORT")
  OURS=$(run "http://127.0.0.1:$PORT")
  NGINX=$(run "http://127.0.0.1:$NGINX_PORT")
  g=$(awk -v a="$OURS_GZ" -v b="$NGINX_GZ" 'BEGIN { printf "%.2f", a / b }')
  i=$(awk -v a="$OURS" -v b="$NGINX" 'BEGIN { printf "%.2f", a / b }')
  GZ_RATIOS+=("$g") ID_RATIOS+=("$i")
  echo "round $r  gzip accepted: citytwin (cached) ${OURS_GZ} req/s, nginx (gzip_static) ${NGINX_GZ} req/s, ratio $g;  identity: citytwin ${OURS} req/s, nginx ${NGINX} req/s, ratio $i"
done
median() { printf "%s\n" "$@" | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
echo "citytwin / nginx, median of $ROUNDS round(s): gzip accepted $(median "${GZ_RATIOS[@]}"), identity $(median "${ID_RATIOS[@]}") (goal >= 0.8)"
