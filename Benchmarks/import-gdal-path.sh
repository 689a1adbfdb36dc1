#!/usr/bin/env bash
# The GDAL reader against the own readers and against ogr2ogr, same files, same run,
# release build. Data: the sample city's buildings (Shapefile, EPSG:4544, GBK) repeated
# N times (default 10: ~190k polygons) as a Shapefile, a GeoJSON (WGS84) and a GeoPackage,
# and its bikes (CSV, lon/lat columns) repeated N times (~600k points).
# Each import is timed best of 3 (wall clock, fresh database each time); ogr2ogr writes
# SpatiaLite with a spatial index and reprojects to WGS84, as citytwin import does.
# Usage: Benchmarks/import-gdal-path.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10}
command -v ogr2ogr >/dev/null || { echo "ogr2ogr missing: apt-get install gdal-bin" >&2; exit 1; }
# Others build in this tree too: one swift build at a time.
[ -n "${SKIP_BUILD:-}" ] || flock /tmp/swift.lock swift build -c release --product citytwin >/dev/null
BIN=$PWD/.build/release/citytwin
D=bench-data/gdal-path
rm -rf "$D" && mkdir -p "$D"
SRC=GeoData/buildings_cgcs2000_gk105.shp
ogr2ogr -f GPKG "$D/b.gpkg" "$SRC" -nln b
for i in $(seq 2 "$N"); do ogr2ogr -append -f GPKG "$D/b.gpkg" "$SRC" -nln b; done
ogr2ogr -f "ESRI Shapefile" "$D/b.shp" "$D/b.gpkg" -lco ENCODING=CP936 >/dev/null 2>&1
ogr2ogr -f GeoJSON "$D/b.geojson" "$D/b.gpkg" -t_srs EPSG:4326
{ head -1 GeoData/bikes.csv; for _ in $(seq 1 "$N"); do tail -n +2 GeoData/bikes.csv; done; } > "$D/p.csv"
COUNT=$(ogrinfo -so "$D/b.gpkg" b | sed -n 's/Feature Count: //p')
PCOUNT=$(($(wc -l < "$D/p.csv") - 1))
echo "GDAL $(ogr2ogr --version | cut -d, -f1 | cut -d' ' -f2); $COUNT polygons, $PCOUNT points; best of 3"

best() { # command… → best wall seconds of 3
  local b=999999
  for _ in 1 2 3; do
    rm -f "$D"/t.sqlite* "$D"/o.sqlite*
    local s=$(date +%s.%N)
    "$@" >/dev/null 2>"$D/err" || { echo "failed: $*" >&2; tail -5 "$D/err" >&2; exit 1; }
    local e=$(date +%s.%N)
    b=$(echo "$b $s $e" | awk '{t=$3-$2; print (t<$1)?t:$1}')
  done
  echo "$b"
}
imp() { "$BIN" import "$@" --layer b --role generic --db "$D/t.sqlite" --rejects "$D/r.geojsonl"; }
shp_own=$(best imp "$D/b.shp")
shp_gdal=$(best imp "$D/b.shp" --reader gdal)
json_own=$(best imp "$D/b.geojson")
json_gdal=$(best imp "$D/b.geojson" --reader gdal)
csv_own=$(best imp "$D/p.csv")
csv_gdal=$(best imp "$D/p.csv" --reader gdal)
gpkg_gdal=$(best imp "$D/b.gpkg")
ogr=$(best ogr2ogr -f SQLite -dsco SPATIALITE=YES -t_srs EPSG:4326 "$D/o.sqlite" "$D/b.gpkg" b)
row() { printf "| %-34s | %8.2f s | %9.0f/s | %s |\n" "$1" "$2" "$(echo "${4:-$COUNT} $2" | awk '{print $1/$2}')" "$3"; }
echo "| import | time | features | ratio |"
echo "|---|---|---|---|"
row "Shapefile, own reader" "$shp_own" "GDAL path / own: $(echo "$shp_gdal $shp_own" | awk '{printf "%.2f×", $1/$2}')"
row "Shapefile, GDAL reader" "$shp_gdal" ""
row "GeoJSON, own reader" "$json_own" "GDAL path / own: $(echo "$json_gdal $json_own" | awk '{printf "%.2f×", $1/$2}')"
row "GeoJSON, GDAL reader" "$json_gdal" ""
row "CSV (points), own reader" "$csv_own" "GDAL path / own: $(echo "$csv_gdal $csv_own" | awk '{printf "%.2f×", $1/$2}')" "$PCOUNT"
row "CSV (points), GDAL reader" "$csv_gdal" "" "$PCOUNT"
row "GeoPackage, GDAL reader" "$gpkg_gdal" "ogr2ogr / citytwin: $(echo "$ogr $gpkg_gdal" | awk '{printf "%.2f×", $1/$2}')"
row "GeoPackage, ogr2ogr → SpatiaLite" "$ogr" ""
