#!/usr/bin/env bash
# Growth curves: how CityTwin's costs grow with the city, over sample cities of
# 1, 4 and 16 districts (`citytwin sample --districts N`), one run each, release
# build. Per size: import time of `citytwin load` and of ogr2ogr loading the same
# GeoJSON/CSV/Shapefile files into SpatiaLite (the peer), database sizes,
# snapshot load and start-up until /health, RSS after start, then (one
# keep-alive connection, Benchmarks/scale_probe.py) uncached tile p50/p99 over
# z10-16, cached tile p99, locate / nearest / geocode / bike-balance p50 and p99.
# Prints a table and, per cost, the exponent k of cost ∝ size^k (least squares
# on log-log over the sizes).
# Usage: Benchmarks/scale.sh [sizes…]      (default: 1 4 16; SKIP_BUILD=1 to use the built binary;
#        COLD=1 to probe right at /health instead of once the server says it is ready)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${*:-1 4 16}
PORT=${PORT:-18300}
WORK=$PWD/bench-data/scale
PY=${CITYTWIN_PYTHON:-python3}
command -v ogr2ogr >/dev/null || { echo "ogr2ogr missing: apt-get install gdal-bin" >&2; exit 1; }
[ -n "${SKIP_BUILD:-}" ] || swift build -c release --product citytwin >/dev/null
BIN=${BIN:-$PWD/.build/release/citytwin}
mkdir -p "$WORK"
RESULTS=$WORK/results.jsonl
: > "$RESULTS"
now() { date +%s.%N; }
SERVER=
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null || true' EXIT

for N in $SIZES; do
  DIR=$WORK/city$N DB=$WORK/city$N.sqlite PEER=$WORK/city$N-ogr.sqlite
  if [ ! -f "$DIR/manifest.json" ]; then "$BIN" sample --districts "$N" --out "$DIR" >/dev/null; fi
  rm -f "$DB" "$DB"-* "${DB%.sqlite}"-ops.sqlite* "$PEER"

  t0=$(now); "$BIN" load --db "$DB" "$DIR" >"$WORK/load$N.log"; t1=$(now)
  LOAD=$(echo "$t1 - $t0" | bc)

  # The peer: the same files, each into a SpatiaLite table with its spatial index.
  t0=$(now)
  first=1
  while IFS=$'\t' read -r file layer; do
    opts=(-nln "$layer" -gt 65536)
    case "$file" in
      *.csv) opts+=(-oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -oo KEEP_GEOM_COLUMNS=NO -a_srs EPSG:4326) ;;
      *.shp) opts+=(-t_srs EPSG:4326) ;;
    esac
    if [ $first = 1 ]; then ogr2ogr -f SQLite -dsco SPATIALITE=YES "${opts[@]}" "$PEER" "$DIR/$file"; first=0
    else ogr2ogr -update "${opts[@]}" "$PEER" "$DIR/$file"; fi
  done < <("$PY" -c 'import json,sys; [print(l["file"] + "\t" + l["layer"]) for l in json.load(open(sys.argv[1]))["layers"]]' "$DIR/manifest.json")
  t1=$(now)
  OGR=$(echo "$t1 - $t0" | bc)
  FEATURES=$("$PY" -c 'import json,sys; print(sum(l["count"] for l in json.load(open(sys.argv[1]))["layers"]))' "$DIR/manifest.json")
  DBSIZE=$(du -cb "$DB"* | tail -1 | cut -f1)
  PEERSIZE=$(wc -c < "$PEER")

  t0=$(now)
  "$BIN" serve --db "$DB" --port "$PORT" >"$WORK/serve$N.log" 2>&1 &
  SERVER=$!
  until curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; do
    kill -0 $SERVER 2>/dev/null || { cat "$WORK/serve$N.log" >&2; exit 1; }
    sleep 0.1
  done
  t1=$(now)
  START=$(echo "$t1 - $t0" | bc)
  RSS=$(awk '/VmRSS/ {print $2}' /proc/$SERVER/status)
  # Ready: the first geocoder and the tile property tables built (/health "ready"). The probe
  # measures the ready server; COLD=1 probes right at /health instead, beside those builds.
  if [ -z "${COLD:-}" ]; then
    until curl -sf "http://127.0.0.1:$PORT/health" | grep -q '"ready":true'; do
      kill -0 $SERVER 2>/dev/null || { cat "$WORK/serve$N.log" >&2; exit 1; }
      sleep 0.2
    done
  fi
  READY=$(echo "$(now) - $t0" | bc)
  SNAPSHOT=$(sed -n 's/^snapshot v[0-9]*: [0-9]* layers in \([0-9.]*\) s.*/\1/p' "$WORK/serve$N.log" | head -1)
  PROBE=$("$PY" Benchmarks/scale_probe.py "$PORT" "$DIR")
  RSS_AFTER=$(awk '/VmRSS/ {print $2}' /proc/$SERVER/status)
  kill $SERVER; wait $SERVER 2>/dev/null || true; SERVER=

  "$PY" -c 'import json,sys
n,f,load,ogr,db,peer,start,snap,rss,rss2,ready=sys.argv[1:12]
r=json.loads(sys.argv[12])
r.update(districts=int(n), features=int(f), load_s=float(load), ogr2ogr_s=float(ogr), db_mb=int(db)/2**20, ogr2ogr_db_mb=int(peer)/2**20,
         startup_s=float(start), snapshot_s=float(snap or "nan"), rss_mb=int(rss)/1024, rss_after_probe_mb=int(rss2)/1024, ready_s=float(ready))
print(json.dumps(r))' "$N" "$FEATURES" "$LOAD" "$OGR" "$DBSIZE" "$PEERSIZE" "$START" "$SNAPSHOT" "$RSS" "$RSS_AFTER" "$READY" "$PROBE" >> "$RESULTS"
  echo "districts $N: done ($(tail -1 "$RESULTS" | cut -c1-120)…)" >&2
done

"$PY" - "$RESULTS" <<'PY'
import json, math, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
cols = [("features", "features", "{:,.0f}"), ("load_s", "citytwin load (s)", "{:.1f}"), ("ogr2ogr_s", "ogr2ogr, same files (s)", "{:.1f}"),
        ("db_mb", "database (MB)", "{:.0f}"), ("ogr2ogr_db_mb", "ogr2ogr SpatiaLite (MB)", "{:.0f}"),
        ("snapshot_s", "snapshot load (s)", "{:.1f}"), ("startup_s", "start-up to /health (s)", "{:.1f}"),
        ("ready_s", "start-up to ready (s)", "{:.1f}"), ("rss_mb", "RSS after start (MB)", "{:.0f}"),
        ("rss_after_probe_mb", "RSS after the probe (MB)", "{:.0f}"), ("tile_uncached_p50", "uncached tile p50, z10-16 (ms)", "{:.1f}"),
        ("tile_uncached_p99", "uncached tile p99 (ms)", "{:.1f}"), ("tile_cached_p99", "cached tile p99 (ms)", "{:.2f}"),
        ("locate_p50", "locate p50 (ms)", "{:.2f}"), ("locate_p99", "locate p99 (ms)", "{:.2f}"),
        ("nearest_p50", "nearest p50 (ms)", "{:.2f}"), ("nearest_p99", "nearest p99 (ms)", "{:.2f}"),
        ("geocode_p50", "geocode p50 (ms)", "{:.2f}"), ("geocode_p99", "geocode p99 (ms)", "{:.2f}"),
        ("balance_p50", "bike balance of a district p50 (ms)", "{:.1f}"), ("balance_p99", "bike balance of a district p99 (ms)", "{:.1f}"),
        ("balance_city_p50", "bike balance of the city p50 (ms)", "{:.0f}"), ("balance_city_p99", "bike balance of the city p99 (ms)", "{:.0f}")]
def fit(xs, ys):
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys) if y and y > 0 and not math.isnan(y)]
    if len(pts) < 2: return float("nan")
    mx = sum(p[0] for p in pts) / len(pts); my = sum(p[1] for p in pts) / len(pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / sum((p[0] - mx) ** 2 for p in pts)
sizes = [r["districts"] for r in rows]
print("| districts | " + " | ".join(str(s) for s in sizes) + " | k |")
print("|---|" + "---:|" * (len(sizes) + 1))
for key, label, f in cols:
    ys = [r.get(key) for r in rows]
    print(f"| {label} | " + " | ".join(f.format(y) if y is not None else "-" for y in ys) + f" | {fit(sizes, ys):.2f} |")
print("k: least-squares slope of log(cost) on log(districts); 1 = linear in the city's size.")
for r in rows:
    print(f"slowest uncached tiles, {r['districts']} district(s): " + ", ".join(f"{t} {ms} ms" for t, ms in r.get("tile_uncached_slowest", [])))
PY
