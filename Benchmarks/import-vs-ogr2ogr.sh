#!/usr/bin/env bash
# Import benchmark: citytwin import vs ogr2ogr -f SQLite -dsco SPATIALITE=YES,
# same seeded GeoJSON files (1M points, 100k polygons), same run, release build.
# Usage: Benchmarks/import-vs-ogr2ogr.sh [extra `citytwin-bench import` flags]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v ogr2ogr >/dev/null || { echo "ogr2ogr missing: apt-get install gdal-bin" >&2; exit 1; }
swift build -c release --product citytwin >/dev/null
swift build -c release --product citytwin-bench >/dev/null
echo "ogr2ogr: $(ogr2ogr --version)"
exec .build/release/citytwin-bench import --dir bench-data "$@"
