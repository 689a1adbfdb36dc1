#!/usr/bin/env bash
# Uncached tile generation: CityTwin's in-memory tile builder against PostGIS
# ST_AsMVT/ST_AsMVTGeom on the same layers (loaded from the same SpatiaLite
# file by ogr2ogr, stored in EPSG:3857 with GiST indexes) and the same seeded
# list of tiles. Both single-threaded; PostGIS is timed inside the server.
# A throwaway PostgreSQL 15 cluster runs on loopback and is removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/citytwin}
BENCH=${BENCH:-$BIN-bench}
WORK=${WORK:-$PWD/bench-data/postgis}
DB=${DB:-$PWD/bench-data/tiles.sqlite}
PGPORT=${PGPORT:-55432}
LAYERS=${LAYERS:-grids,roads,buildings,pipes,pipe_nodes,bike_stations,flood_points,handlers}
PGBIN=/usr/lib/postgresql/15/bin

dpkg -s postgresql-15-postgis-3 >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15-postgis-3
mkdir -p "$(dirname "$DB")"
[ -f "$DB" ] || "$BIN" load --db "$DB" GeoData >/dev/null

rm -rf "$WORK"; mkdir -p "$WORK"; chown postgres "$WORK"
su postgres -c "$PGBIN/initdb -D $WORK/data -A trust -E UTF8" >/dev/null
su postgres -c "$PGBIN/pg_ctl -D $WORK/data -l $WORK/log -w start -o \"-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c work_mem=64MB -c jit=off\"" >/dev/null
trap 'su postgres -c "$PGBIN/pg_ctl -D $WORK/data -m fast -w stop" >/dev/null; rm -rf "$WORK"' EXIT
PSQL="psql -X -q -h 127.0.0.1 -p $PGPORT -U postgres"
$PSQL -c "CREATE DATABASE city" postgres
$PSQL -c "CREATE EXTENSION postgis" city
for l in ${LAYERS//,/ }; do
  ogr2ogr -f PostgreSQL "PG:host=127.0.0.1 port=$PGPORT dbname=city user=postgres" "$DB" "layer_$l" \
    -nln "pg_$l" -t_srs EPSG:3857 -lco GEOMETRY_NAME=geom -lco FID=id -lco SPATIAL_INDEX=NONE
done
"$BENCH" tiles --db "$DB" --layers "$LAYERS" --postgis-setup "$WORK/setup.sql"
$PSQL -f "$WORK/setup.sql" city >/dev/null
chown root "$WORK"
"$BENCH" tiles --db "$DB" --layers "$LAYERS" --psql-db city --psql-port "$PGPORT" --user postgres "$@"
