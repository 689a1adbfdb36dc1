"""Independent check of a MapLibre sprite made from a folder of SVG icons.

Usage: sprite_check.py ICONS_FOLDER INDEX_1x.json SHEET_1x.png INDEX_2x.json SHEET_2x.png

The PNGs are decoded by Pillow, the indexes by the json module. For each ratio:
every .svg of the folder has an index entry (and nothing else has); each entry's
rectangle lies inside the sheet, has pixelRatio equal to the ratio and holds
non-transparent pixels; no two rectangles overlap; the crop of the sheet equals
rsvg-convert's own rendering of that file at that size (the right icon in the
right place). Across ratios: every @2x number is twice the 1x one.
Prints one JSON object; lists are empty when all is well."""
import io, json, os, subprocess, sys

from PIL import Image, ImageChops

folder, pairs = sys.argv[1], [(1, sys.argv[2], sys.argv[3]), (2, sys.argv[4], sys.argv[5])]
icons = sorted(f[:-4] for f in os.listdir(folder) if f.lower().endswith(".svg"))
out = {"icons": len(icons), "ratios": {}}
indexes = {}
for ratio, index_path, png_path in pairs:
    index = json.load(open(index_path))
    sheet = Image.open(png_path)
    fmt = sheet.format
    sheet = sheet.convert("RGBA")
    indexes[ratio] = index
    r = {"format": fmt, "size": list(sheet.size), "missing": [n for n in icons if n not in index],
         "extra": [n for n in index if n not in icons], "outside": [], "empty": [], "wrong_ratio": [],
         "overlaps": [], "unlike_rsvg": [], "worst_difference": 0.0}
    rects = []
    for name, e in sorted(index.items()):
        x, y, w, h = e["x"], e["y"], e["width"], e["height"]
        if e.get("pixelRatio") != ratio:
            r["wrong_ratio"].append(name)
        if x < 0 or y < 0 or w <= 0 or h <= 0 or x + w > sheet.width or y + h > sheet.height:
            r["outside"].append(name)
            continue
        crop = sheet.crop((x, y, x + w, y + h))
        alpha = crop.getchannel("A")
        if alpha.getextrema()[1] == 0:
            r["empty"].append(name)
        for other, (ox, oy, ow, oh) in rects:
            if x < ox + ow and ox < x + w and y < oy + oh and oy < y + h:
                r["overlaps"].append([name, other])
        rects.append((name, (x, y, w, h)))
        if name in icons:
            png = subprocess.run(["rsvg-convert", "-w", str(w), "-h", str(h), os.path.join(folder, name + ".svg")],
                                 check=True, capture_output=True).stdout
            ref = Image.open(io.BytesIO(png)).convert("RGBA")
            if ref.size != crop.size:
                r["unlike_rsvg"].append([name, "size", list(ref.size), list(crop.size)])
                continue
            # Both drawn over the same grey, then the mean absolute difference of the colour
            # channels, 0..1: the same drawing differs only by rounding; another icon of the
            # same outline (two round POI badges) differs in colour.
            grey = Image.new("RGBA", crop.size, (128, 128, 128, 255))
            diff = ImageChops.difference(Image.alpha_composite(grey, ref).convert("RGB"), Image.alpha_composite(grey, crop).convert("RGB"))
            mean = sum((i % 256) * c for i, c in enumerate(diff.histogram())) / (255.0 * 3 * w * h)  # 256 bins per band
            r["worst_difference"] = max(r["worst_difference"], round(mean, 4))
            if mean > 0.02:
                r["unlike_rsvg"].append([name, round(mean, 4)])
    out["ratios"][str(ratio)] = r
one, two = indexes[1], indexes[2]
out["not_doubled"] = [n for n in one if n not in two or any(two[n][k] != 2 * one[n][k] for k in ("x", "y", "width", "height"))]
s1, s2 = out["ratios"]["1"]["size"], out["ratios"]["2"]["size"]
out["sheet_doubled"] = s2 == [2 * s1[0], 2 * s1[1]]
print(json.dumps(out))
