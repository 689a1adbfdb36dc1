#!/usr/bin/env bash
# The PostGIS store against its peers, one run, release build, on a throwaway
# PostgreSQL 15 + PostGIS 3 cluster on loopback (scram password, default
# durability) and a sample city of $DISTRICTS districts (`citytwin sample`):
#  1. import: every layer file of the city (all formats), each by
#     `citytwin import --store postgres://…` and by `ogr2ogr -f PostgreSQL` (COPY,
#     GiST index) into two databases of the same cluster; per file and total, and
#     the ratio ogr2ogr / citytwin (goal ≥ 1×). `citytwin import --db` into SpatiaLite
#     alongside for reference.
#  2. snapshot load: `citytwin reverse` (opens the store, loads the whole snapshot,
#     builds the geocoder, answers one point) against PostGIS and against SpatiaLite,
#     median of 3.
# Usage: Benchmarks/postgis-load.sh          (DISTRICTS=4, PGPORT=55433, SKIP_BUILD=1 to reuse the build)
set -euo pipefail
cd "$(dirname "$0")/.."
DISTRICTS=${DISTRICTS:-4}
PGPORT=${PGPORT:-55433}
PGBIN=/usr/lib/postgresql/15/bin
PY=${CITYTWIN_PYTHON:-python3}
command -v ogr2ogr >/dev/null || { echo "ogr2ogr missing: apt-get install gdal-bin" >&2; exit 1; }
[ -x $PGBIN/initdb ] || { echo "PostgreSQL 15 missing: make deps (postgresql-15 postgresql-15-postgis-3)" >&2; exit 1; }
[ -n "${SKIP_BUILD:-}" ] || swift build -c release --product citytwin >/dev/null
BIN=${BIN:-$PWD/.build/release/citytwin}
DATA=$PWD/bench-data/postgis-load
CITY=$DATA/city$DISTRICTS
mkdir -p "$DATA"
[ -f "$CITY/manifest.json" ] || "$BIN" sample --districts "$DISTRICTS" --out "$CITY" >/dev/null

WORK=$(mktemp -d /tmp/citytwin-pgbench.XXXXXX)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$WORK"
export PGPASSWORD=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$PGPASSWORD" > "$WORK/pw"; chmod 644 "$WORK/pw"
as_pg $PGBIN/initdb -D "$WORK/data" -U citytwin --pwfile="$WORK/pw" --auth-local=trust --auth-host=scram-sha-256 \
  -E UTF8 --locale=C >/dev/null
as_pg $PGBIN/pg_ctl -D "$WORK/data" -l "$WORK/server.log" -w start \
  -o "-p $PGPORT -k $WORK -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c max_wal_size=4GB -c jit=off" >/dev/null
trap 'as_pg $PGBIN/pg_ctl -D "$WORK/data" -m fast -w stop >/dev/null 2>&1; rm -rf "$WORK"' EXIT
PSQL=(psql -X -q -h "$WORK" -p "$PGPORT" -U citytwin)
for db in ct ogr; do
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE $db"
  "${PSQL[@]}" -d $db -c "CREATE EXTENSION postgis"
done
URL=postgres://citytwin@127.0.0.1:$PGPORT/ct
LITE=$WORK/city.sqlite
now() { date +%s.%N; }

# file, layer, role and the import flags of each manifest entry (tab-separated).
ENTRIES=$("$PY" - "$CITY/manifest.json" <<'EOF'
import json, sys
for l in json.load(open(sys.argv[1]))["layers"]:
    flags = []
    for key, flag in [("srs", "--srs"), ("encoding", "--encoding"), ("id_field", "--id-field"),
                      ("lon_field", "--lon-field"), ("lat_field", "--lat-field"), ("wkt_field", "--wkt-field")]:
        if l.get(key): flags += [flag, l[key]]
    for src, dst in (l.get("field_map") or {}).items(): flags += ["--field-map", f"{src}={dst}"]
    print("\t".join([l["file"], l["layer"], l["role"], " ".join(flags)]))
EOF
)

printf '%-32s %9s %9s %9s %7s\n' "file" "citytwin" "ogr2ogr" "spatialite" "ratio"
TOTAL_CT=0 TOTAL_OGR=0 TOTAL_LITE=0
while IFS=$'\t' read -r file layer role flags; do
  # shellcheck disable=SC2086
  t0=$(now); "$BIN" import --store "$URL" --layer "$layer" --role "$role" $flags --rejects "$WORK/$layer.rejects" "$CITY/$file" >/dev/null 2>&1; t1=$(now)
  CT=$(echo "$t1 - $t0" | bc)
  opts=(-nln "$layer" -lco GEOMETRY_NAME=geom -lco FID=id -gt 65536)
  case "$file" in
    *.csv) opts+=(-oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -oo KEEP_GEOM_COLUMNS=NO -a_srs EPSG:4326) ;;
    *.shp) opts+=(-t_srs EPSG:4326) ;;
  esac
  t0=$(now)
  ogr2ogr -f PostgreSQL "PG:host=127.0.0.1 port=$PGPORT dbname=ogr user=citytwin" "$CITY/$file" "${opts[@]}" \
    --config PG_USE_COPY YES 2>&1 | grep -v "Wrong field type for id" >&2 || true
  t1=$(now)
  OGR=$(echo "$t1 - $t0" | bc)
  # shellcheck disable=SC2086
  t0=$(now); "$BIN" import --db "$LITE" --layer "$layer" --role "$role" $flags --rejects "$WORK/$layer.rejects" "$CITY/$file" >/dev/null 2>&1; t1=$(now)
  LT=$(echo "$t1 - $t0" | bc)
  TOTAL_CT=$(echo "$TOTAL_CT + $CT" | bc) TOTAL_OGR=$(echo "$TOTAL_OGR + $OGR" | bc) TOTAL_LITE=$(echo "$TOTAL_LITE + $LT" | bc)
  printf '%-32s %8.2fs %8.2fs %8.2fs %6.2fx\n' "$file" "$CT" "$OGR" "$LT" "$(echo "$OGR / $CT" | bc -l)"
done <<< "$ENTRIES"
printf '%-32s %8.2fs %8.2fs %8.2fs %6.2fx\n' "total" "$TOTAL_CT" "$TOTAL_OGR" "$TOTAL_LITE" "$(echo "$TOTAL_OGR / $TOTAL_CT" | bc -l)"
ROWS_CT=$("${PSQL[@]}" -d ct -At -c "SELECT sum(feature_count) FROM layers")
ROWS_OGR=$("${PSQL[@]}" -d ogr -At -c "SELECT sum(n_live_tup) FROM pg_stat_user_tables WHERE relname <> 'spatial_ref_sys'")
"$BIN" check --store "$URL" >/dev/null && echo "citytwin check --store: ok ($ROWS_CT features stored; ogr2ogr stored about $ROWS_OGR rows)"

# Snapshot load: a point in the middle of the city.
read -r LON LAT < <("${PSQL[@]}" -d ct -At -F ' ' -c "SELECT (min_x + max_x) / 2, (min_y + max_y) / 2 FROM layers WHERE role = 'district' LIMIT 1")
median() { sort -n | sed -n 2p; }
time_load() {
  for _ in 1 2 3; do
    t0=$(now); "$BIN" reverse --db "$1" "$LON" "$LAT" >/dev/null; t1=$(now)
    echo "$t1 - $t0" | bc
  done | median
}
PG_LOAD=$(time_load "$URL")
LITE_LOAD=$(time_load "$LITE")
printf 'snapshot load + one reverse geocode (median of 3): PostGIS %.2fs, SpatiaLite %.2fs (PostGIS/SpatiaLite %.2fx)\n' \
  "$PG_LOAD" "$LITE_LOAD" "$(echo "$PG_LOAD / $LITE_LOAD" | bc -l)"
