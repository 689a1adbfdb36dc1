#!/usr/bin/env bash
# Low-zoom tiles of a whole city: every tile of z0-10 over the layers' extent,
# cut uncached (one builder, one thread), with Benchmarks/low-zoom/layers.yaml
# (every layer from z0, thinned below its base zoom) and then the same layers
# without thinning (what lowering minzoom alone gives: tiles cut off at
# max_tile_bytes). Prints the largest tile (raw and gzipped) and the p50 and
# slowest cut per zoom. REPLICATE=4 copies each layer of one district on a
# 4×4 grid (a 16-district city); point DB at a `citytwin sample --districts`
# city and set REPLICATE=1 to cut that instead.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=${BENCH:-.build/release/citytwin-bench}
DB=${DB:-$PWD/bench-data/export/city.sqlite}
LAYERS=${LAYERS:-grids,roads,buildings,pipes,pipe_nodes,addresses,pois}
ZOOMS=${ZOOMS:-0,1,2,3,4,5,6,7,8,9,10}
REPLICATE=${REPLICATE:-4}
mkdir -p "$(dirname "$DB")"
[ -f "$DB" ] || .build/release/citytwin load --db "$DB" GeoData >/dev/null
echo "machine: $(nproc) cores; layers.yaml: Benchmarks/low-zoom/layers.yaml"
echo "== thinned (base_zoom, drop_densest_as_needed)"
"$BENCH" tiles --db "$DB" --tiles-folder Benchmarks/low-zoom --layers "$LAYERS" --zoom-report --replicate "$REPLICATE" --zooms "$ZOOMS"
echo "== the same layers without thinning"
"$BENCH" tiles --db "$DB" --tiles-folder Benchmarks/low-zoom --layers "$LAYERS" --zoom-report --replicate "$REPLICATE" --zooms "$ZOOMS" --no-thinning
