"""Independent readers for exported archives: the PyPI pmtiles reader and
sqlite3 for MBTiles; each stored tile (gunzipped) must equal what the
running server answers for the same z/x/y. Prints a JSON report."""
import gzip, json, sqlite3, sys, urllib.request
from pmtiles.reader import Reader, MmapSource, all_tiles

base, layers, mbtiles, pmtiles = sys.argv[1:5]
report = {"pmtiles": {}, "mbtiles": {}}

def served(z, x, y):
    with urllib.request.urlopen(f"{base}/tiles/{layers}/{z}/{x}/{y}.mvt") as r:
        return r.read()

with open(pmtiles, "rb") as f:
    src = MmapSource(f)
    reader = Reader(src)
    header = reader.header()
    meta = reader.metadata()
    report["pmtiles"]["header"] = {k: (v.value if hasattr(v, "value") else v) for k, v in header.items() if isinstance(v, (int, float)) or hasattr(v, "value")}
    report["pmtiles"]["vector_layers"] = [l["id"] for l in meta.get("vector_layers", [])]
    n = same = 0
    for (z, x, y), data in all_tiles(src):
        n += 1
        if gzip.decompress(data) == served(z, x, y):
            same += 1
    report["pmtiles"]["tiles"] = n
    report["pmtiles"]["same_as_server"] = same
    got = reader.get(14, 12929, 6724)
    report["pmtiles"]["get_centre"] = got is not None and gzip.decompress(got) == served(14, 12929, 6724)

db = sqlite3.connect(mbtiles)
meta = dict(db.execute("SELECT name, value FROM metadata"))
report["mbtiles"]["metadata"] = {k: meta[k] for k in ("name", "format", "minzoom", "maxzoom", "bounds", "center") if k in meta}
report["mbtiles"]["vector_layers"] = [l["id"] for l in json.loads(meta["json"])["vector_layers"]]
n = same = 0
for z, x, row, data in db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles"):
    n += 1
    y = (1 << z) - 1 - row
    if gzip.decompress(data) == served(z, x, y):
        same += 1
report["mbtiles"]["tiles"] = n
report["mbtiles"]["same_as_server"] = same
print(json.dumps(report))
