"""Independent check of glyph PBFs: Google's protobuf runtime with glyphs.proto
(compiled here by protoc) decodes each file, and fontconfig's fc-query says
which codepoints the font has. Usage: glyphs_check.py FONT INDEX FILE.pbf…
Prints a JSON report per file; the Swift test asserts on it."""
import hashlib, json, os, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
out = tempfile.mkdtemp()
subprocess.run(["protoc", "-I", here, "--python_out", out, os.path.join(here, "glyphs.proto")], check=True)
sys.path.insert(0, out)
os.environ.setdefault("PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION", "python")
import glyphs_pb2  # noqa: E402

font, index, files = sys.argv[1], sys.argv[2], sys.argv[3:]
charset = subprocess.run(["fc-query", "-i", index, "-f", "%{charset}", font], check=True,
                         capture_output=True, text=True).stdout.split()
have = set()
for part in charset:
    a, _, b = part.partition("-")
    have.update(range(int(a, 16), int(b or a, 16) + 1))

reports = []
for path in files:
    msg = glyphs_pb2.glyphs()
    msg.ParseFromString(open(path, "rb").read())
    stack = msg.stacks[0]
    start, end = (int(x) for x in stack.range.split("-"))
    ids = [g.id for g in stack.glyphs]
    def wrong_size(g):
        return len(g.bitmap) != ((g.width + 6) * (g.height + 6) if g.width and g.height else 0)
    bad_bitmaps = [g.id for g in stack.glyphs if wrong_size(g)]
    printable = [g for g in stack.glyphs if chr(g.id).isprintable() and not chr(g.id).isspace()]
    inked = [g for g in stack.glyphs if g.width and g.height]
    reports.append({
        "stacks": len(msg.stacks), "name": stack.name, "range": stack.range,
        "glyphs": len(ids), "ids_sorted": ids == sorted(ids), "ids_in_range": all(start <= i <= end for i in ids),
        "font_has": len([c for c in range(start, end + 1) if c in have]),
        "missing": [c for c in range(start, end + 1) if c in have and c not in ids][:20],
        "extra": [i for i in ids if i not in have][:20],
        "printable_zero_advance": [g.id for g in printable if g.advance <= 0][:20],
        "bad_bitmaps": bad_bitmaps[:20],
        # SDF sanity: an inked glyph has pixels inside the edge (value > 191, the 0.25 cutoff)
        # and outside it (the 3 px border is at most 3/8 of the radius away: about 95).
        "sdf_without_inside": [g.id for g in inked if max(g.bitmap) <= 191][:20],
        "sdf_without_outside": [g.id for g in inked if min(g.bitmap) > 96][:20],
        "digests": {str(g.id): hashlib.md5(g.SerializeToString()).hexdigest()[:12] for g in stack.glyphs},
        "sample": {str(g.id): [g.width, g.height, g.left, g.top, g.advance] for g in stack.glyphs if g.id in (65, 0x4E2D, 0x8DEF)},
    })
print(json.dumps(reports))
