#!/usr/bin/env bash
# Glyph ranges over HTTP, release build (issue 12): every font found, seven ranges each
# (Latin, Latin Extended, punctuation, three CJK blocks, fullwidth forms), each asked once
# (rendered with FreeType and turned into SDF) and again (from the cache); curl time_total.
# Usage: Benchmarks/glyphs-http.sh   (after `make release`)
set -u
cd "$(dirname "$0")/.."
mkdir -p bench-data
rm -f bench-data/glyphs.sqlite*; .build/release/citytwin load --db bench-data/glyphs.sqlite GeoData >/dev/null
.build/release/citytwin serve --db bench-data/glyphs.sqlite --port 18711 > bench-data/glyphs-serve.log 2>&1 &
S=$!
for i in $(seq 1 200); do curl -sf http://127.0.0.1:18711/health >/dev/null && break; sleep 0.5; done
sleep 2
curl -s http://127.0.0.1:18711/fonts.json | python3 -c 'import sys,json; [print(f["name"]) for f in json.load(sys.stdin)]' > bench-data/glyph-fonts.txt
cat bench-data/glyph-fonts.txt
for font in $(sed 's/ /%20/g' bench-data/glyph-fonts.txt); do
  for r in 0-255 256-511 8192-8447 19968-20223 20224-20479 30208-30463 65280-65535; do
    a=$(curl -s -o bench-data/glyphs.pbf -w '%{http_code} %{time_total}' "http://127.0.0.1:18711/fonts/$font/$r.pbf")
    b=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:18711/fonts/$font/$r.pbf")
    echo "$font $r first: $a s ($(stat -c %s bench-data/glyphs.pbf) bytes) again: $b s"
  done
done
kill $S
