"""Independent check of tiles served by a running CityTwin.

Decodes tiles with the PyPI mapbox-vector-tile decoder (not ours), checks
every polygon with shapely, and for the district polygon (which spans many
tiles) checks that the clipped parts inside each tile's square add up to
the polygon's own area, computed here from GeoData/district.geojson.
Prints one JSON object; exits non-zero on a broken expectation.
"""
import json, math, sys, urllib.request
import mapbox_vector_tile
from shapely.geometry import shape, box, Polygon
from shapely.validation import explain_validity

base, geodata = sys.argv[1], sys.argv[2]

def fetch(path):
    with urllib.request.urlopen(base + path) as r:
        return r.status, r.read()

def merc(lon, lat, z):
    n = 4096 * 2 ** z
    x = (lon + 180) / 360 * n
    y = (0.5 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / (2 * math.pi)) * n
    return x, y

def tiles_over(bbox, z):
    (x0, y0), (x1, y1) = merc(bbox[0], bbox[3], z), merc(bbox[2], bbox[1], z)
    return [(x, y) for x in range(int(x0 // 4096), int(x1 // 4096) + 1) for y in range(int(y0 // 4096), int(y1 // 4096) + 1)]

report = {"tiles": 0, "polygons": 0, "invalid": [], "features": 0}
all_layers = json.loads(fetch("/catalog")[1])["tiles"].keys()
composite = ",".join(sorted(all_layers))
for z, cx, cy in [(12, 3232, 1681), (13, 6464, 3362), (14, 12929, 6724), (15, 25859, 13448), (16, 51718, 26897)]:
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            status, body = fetch(f"/tiles/{composite}/{z}/{cx + dx}/{cy + dy}.mvt")
            if status == 204:
                continue
            report["tiles"] += 1
            tile = mapbox_vector_tile.decode(body, default_options={"y_coord_down": True})
            for name, layer in tile.items():
                assert layer["extent"] == 4096, name
                for f in layer["features"]:
                    report["features"] += 1
                    assert "id" in f and f["id"] is not None, f"{name}: feature without id"
                    g = f["geometry"]
                    if g["type"] in ("Polygon", "MultiPolygon"):
                        s = shape(g)
                        report["polygons"] += 1
                        if not s.is_valid:
                            report["invalid"].append(f"{z}/{cx+dx}/{cy+dy} {name} {f['id']}: {explain_validity(s)}")

# Area conservation for the district polygon at z14 and z15.
district = json.load(open(f"{geodata}/district.geojson"))["features"][0]["geometry"]
polys = [district["coordinates"]] if district["type"] == "Polygon" else district["coordinates"]
lons = [c[0] for p in polys for r in p for c in r]; lats = [c[1] for p in polys for r in p for c in r]
bbox = (min(lons), min(lats), max(lons), max(lats))
report["area"] = {}
for z in (14, 15):
    exact = 0.0
    perimeter = 0.0
    for p in polys:
        rings = [[merc(c[0], c[1], z) for c in r] for r in p]
        poly = Polygon(rings[0], rings[1:])
        exact += poly.area
        perimeter += poly.length
    total, parts = 0.0, 0
    for (x, y) in tiles_over(bbox, z):
        status, body = fetch(f"/tiles/district/{z}/{x}/{y}.mvt")
        if status == 204:
            continue
        layer = mapbox_vector_tile.decode(body, default_options={"y_coord_down": True})["district"]
        for f in layer["features"]:
            s = shape(f["geometry"])
            assert s.is_valid, explain_validity(s)
            total += s.intersection(box(0, 0, 4096, 4096)).area
            parts += 1
    # Simplification (2 units for district in Tiles/layers.yaml) plus rounding (0.5) per unit of boundary.
    tolerance = perimeter * 2.5
    report["area"][str(z)] = {"parts": parts, "sum": total, "exact": exact, "relative_error": abs(total - exact) / exact,
                              "within_tolerance": abs(total - exact) <= tolerance}

print(json.dumps(report))
