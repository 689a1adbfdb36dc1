import Foundation
import Geo
import Importer
import Storage
import Testing
import TestSupport

/// Shapefiles as real-world writers leave them, read by us and by GDAL (ogr2ogr to
/// GeoJSON, the independent reader): every feature must carry the values GDAL reads.
@Suite struct ShapefileLikeGDALTests {
    /// Writes `<dir>/<name>.shp/.shx/.dbf` with Python's struct module, byte by byte, so the
    /// odd cells (NUL padding, '*' fill, blank numbers, '?' logicals, zero dates, a 300-byte
    /// text field whose length's high byte sits in the decimals byte) reach both readers as written.
    static let writer = #"""
import struct, sys
d = sys.stdin.read().strip()
def dbf(path, fields, recs, deleted=()):
    fl = lambda f: f[2] | (f[3] << 8) if f[1] == b'C' else f[2]
    reclen = 1 + sum(fl(f) for f in fields)
    hl = 32 + 32 * len(fields) + 1
    h = struct.pack('<B3BIHH20x', 3, 124, 1, 1, len(recs), hl, reclen)
    for n, t, l, dec in fields:
        h += n.encode().ljust(11, b'\0') + t + b'\0' * 4 + bytes([l, dec]) + b'\0' * 14
    h += b'\r'
    body = b''
    for i, r in enumerate(recs):
        body += b'*' if i in deleted else b' '
        for f, v in zip(fields, r):
            body += v.ljust(fl(f), b' ')[:fl(f)]
    open(path, 'wb').write(h + body + b'\x1a')
def shp(path, stype, contents):
    recs = b''; idx = b''; off = 50
    for i, c in enumerate(contents):
        c = struct.pack('<i', stype) + c
        recs += struct.pack('>ii', i + 1, len(c) // 2) + c
        idx += struct.pack('>ii', off, len(c) // 2); off += 4 + len(c) // 2
    hdr = lambda total: struct.pack('>7i', 9994, 0, 0, 0, 0, 0, total) + struct.pack('<ii8d', 1000, stype, 100, 20, 120, 40, 0, 0, 0, 0)
    open(path + '.shp', 'wb').write(hdr(50 + len(recs) // 2) + recs)
    open(path + '.shx', 'wb').write(hdr(50 + len(idx) // 2) + idx)
def point(x, y): return struct.pack('<dd', x, y)
def parts(pp, kinds=None):
    pts = [p for part in pp for p in part]
    c = struct.pack('<4d', 100, 20, 120, 40) + struct.pack('<ii', len(pp), len(pts))
    s = 0
    for part in pp: c += struct.pack('<i', s); s += len(part)
    if kinds is not None: c += b''.join(struct.pack('<i', k) for k in kinds)
    c += b''.join(struct.pack('<dd', x, y) for x, y in pts)
    return c, pts
def zm(pts, m=True):
    c = struct.pack('<2d', 0, 9) + b''.join(struct.pack('<d', 1.5 * i) for i in range(len(pts)))
    if m: c += struct.pack('<2d', 0, 9) + b''.join(struct.pack('<d', 7.0) for _ in pts)
    return c

fields = [("name", b'C', 10, 0), ("cap", b'N', 8, 0), ("ratio", b'F', 8, 2), ("ok", b'L', 1, 0),
          ("day", b'D', 8, 0), ("note", b'C', 44, 1), ("名称", b'C', 12, 0)]
recs = [
    [b"  abc    ", b"\0" * 8, b"   1.50 ", b"T", b"20240131", b"long " * 50, "给水".encode()],
    [b"\0" * 10, b"********", b"        ", b"?", b"00000000", b"", b""],
    [b"x\0yz", b"   12\0\0\0", b"-0.5", b"n", b"        ", b"z", " 雨水 ".encode()],
    [b"   ", b"        ", b"1e3", b" ", b"19991231", b" ", b"\0"],
    [b"gone", b"1", b"1", b"Y", b"20000101", b"", b""],
    [b"y", b"-7", b"2.25", b"f", b"20230615", b"\0\0\0", "燃气".encode()],
]
dbf(d + "/cells.dbf", fields, recs, deleted={4})
open(d + "/cells.cpg", "w").write("UTF-8")
shp(d + "/cells", 1, [point(104 + i * 0.01, 30.6) for i in range(len(recs))])

# Z and M variants: PointM, PolyLineZ (with M), PolygonZ without M, MultiPointZ, MultiPatch.
one = [[b"a"], [b"b"]]
lf = [("k", b'C', 2, 0)]
dbf(d + "/pm.dbf", lf, one)
shp(d + "/pm", 21, [point(104.1, 30.1) + struct.pack('<d', 3.5), point(104.2, 30.2) + struct.pack('<d', -1e39)])
lines = [parts([[(104.0, 30.0), (104.1, 30.05), (104.2, 30.0)]]), parts([[(104.0, 30.2), (104.1, 30.2)], [(104.3, 30.3), (104.4, 30.4)]])]
dbf(d + "/lz.dbf", lf, one)
shp(d + "/lz", 13, [c + zm(p) for c, p in lines])
ring = [(104.0, 30.0), (104.0, 30.1), (104.1, 30.1), (104.1, 30.0), (104.0, 30.0)]
hole = [(104.02, 30.02), (104.04, 30.02), (104.04, 30.04), (104.02, 30.04), (104.02, 30.02)]
polys = [parts([ring, hole]), parts([ring])]
dbf(d + "/pz.dbf", lf, one)
shp(d + "/pz", 15, [c + zm(p, m=False) for c, p in polys])
mps = [parts([[(104.0, 30.0), (104.1, 30.1), (104.2, 30.2)]]), parts([[(104.5, 30.5)]])]
dbf(d + "/mz.dbf", lf, one)
shp(d + "/mz", 18, [c[32:][4:] and (struct.pack('<4d', 100, 20, 120, 40) + struct.pack('<i', len(p)) + b''.join(struct.pack('<dd', x, y) for x, y in p)) + zm(p) for c, p in mps])
patches = [parts([[(104.0, 30.0), (104.1, 30.0), (104.0, 30.1), (104.1, 30.1)]], kinds=[0]),
           parts([ring, hole, [(105.0, 31.0), (105.1, 31.0), (105.0, 31.1), (105.1, 31.2)]], kinds=[2, 3, 1])]
dbf(d + "/mp.dbf", lf, one)
shp(d + "/mp", 31, [c + zm(p) for c, p in patches])
"""#

    /// GDAL's reading: each feature's properties and geometry, via ogr2ogr's GeoJSON.
    static func gdal(_ path: String, _ options: [String] = []) throws -> [JSONValue] {
        let r = try TestSupport.run("/usr/bin/ogr2ogr", ["-f", "GeoJSON", "/vsistdout/", path] + options)
        guard r.status == 0 else { throw TestSupport.CheckerMissing(message: "ogr2ogr failed: \(r.stderr)") }
        return try JSONParser.parse(r.stdout)["features"]?.arrayValue ?? []
    }

    /// XY of every vertex of a GeoJSON geometry value, in order.
    static func xy(_ v: JSONValue?) -> [Double] {
        guard let v else { return [] }
        if let a = v.arrayValue {
            if let x = a.first?.doubleValue, a.count >= 2, let y = a[1].doubleValue { return [x, y] }
            return a.flatMap { xy($0) }
        }
        return xy(v["coordinates"])
    }

    static func xy(_ g: Geometry) -> [Double] {
        var out: [Double] = []
        g.forEachCoordinate { out += [$0.x, $0.y] }
        return out
    }

    @Test func cellsReadAsGDALReadsThem() throws {
        let fx = try ImportFixture()
        _ = try TestSupport.python(Self.writer, input: fx.dir)
        let s = try fx.run([fx.dir + "/cells.shp"], layer: "cells", role: .generic)
        #expect(s.read == 5 && s.imported == 5 && s.rejected == 0, "the deleted record is skipped; NUL-padded cells are no error")
        let ours = try fx.features("cells")
        let theirs = try Self.gdal(fx.dir + "/cells.shp")
        #expect(ours.count == theirs.count)
        for (o, t) in zip(ours, theirs) {
            let props = t["properties"]?.objectValue ?? JSONObject()
            for name in ["name", "cap", "ratio", "day", "note", "名称"] {
                // GDAL leaves an unreadable (blank) date unset; unset and null are both "no value".
                let expected = props[name] ?? .null
                #expect(o.properties[name] ?? .null == expected, "\(name) in feature \(o.id): ours \(String(describing: o.properties[name])), GDAL \(expected)")
            }
            // GDAL 3.6 gives a logical as its letter; we give the boolean it means, and null for '?' or blank.
            let letter = props["ok"]?.stringValue
            let meant: JSONValue = switch letter { case "T", "t", "Y", "y": .bool(true); case "F", "f", "N", "n": .bool(false); default: .null }
            #expect(o.properties["ok"] ?? .null == meant, "ok: \(String(describing: letter))")
            #expect(Self.xy(o.geometry) == Self.xy(t["geometry"]))
        }
        // The values themselves, so the test also holds if both readers changed together.
        #expect(ours[0].properties["cap"] == .null && ours[0].properties["name"] == .string("abc"))
        #expect(ours[1].properties["cap"] == .null && ours[1].properties["day"] == .null && ours[1].properties["name"] == .null)
        #expect(ours[2].properties["cap"] == .number(12) && ours[2].properties["name"] == .string("x"))
        // A text field whose decimals byte is set reads its length from byte 16 alone, as GDAL does.
        #expect(ours[0].properties["note"]?.stringValue?.count == 44 && ours[0].properties["名称"] == .string("long long l"))
        #expect(ours[4].properties["day"] == .string("2023-06-15") && ours[4].properties["ok"] == .bool(false))
    }

    @Test(arguments: ["pm", "lz", "pz", "mz", "mp"])
    func zAndMShapesReadAsGDALReadsThemInXY(_ name: String) throws {
        let fx = try ImportFixture()
        _ = try TestSupport.python(Self.writer, input: fx.dir)
        let s = try fx.run([fx.dir + "/\(name).shp"], layer: "shapes", role: .generic)
        #expect(s.imported == 2 && s.rejected == 0)
        let ours = try fx.features("shapes")
        // GeoJSON has no TIN: GDAL turns the multipatch's triangles into polygons when asked.
        let theirs = try Self.gdal(fx.dir + "/\(name).shp", name == "mp" ? ["-nlt", "MULTIPOLYGON"] : [])
        #expect(ours.count == 2 && theirs.count == 2)
        for (o, t) in zip(ours, theirs) {
            guard name == "mp" else {
                #expect(Self.xy(o.geometry) == Self.xy(t["geometry"]), "\(name): ours \(o.geometry), GDAL \(String(describing: t["geometry"]))")
                continue
            }
            // Triangles that touch are merged by validation (make-valid): compare the covered area with shapely.
            let script = """
            import sys, json
            from shapely.geometry import shape
            from shapely.ops import unary_union
            a, b = (json.loads(l) for l in sys.stdin.read().splitlines())
            a, b = unary_union(shape(a)), shape(b)
            print(a.area, a.symmetric_difference(b).area)
            """
            let out = try TestSupport.python(script, input: JSONWriter.string(t["geometry"] ?? .null) + "\n" + GeoJSON.string(o.geometry))
            let numbers = out.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            #expect(numbers.count == 2 && numbers[0] > 0.005 && numbers[1] < 1e-7, "area, difference (7 decimals written): \(out)")
        }
    }

    @Test func aNulFilledNumberNoLongerAbortsAndMessagesEscapeControlBytes() throws {
        let fx = try ImportFixture()
        _ = try TestSupport.python(Self.writer, input: fx.dir)
        // A number cell holding letters and a control byte rejects its feature; the reason shows the byte escaped.
        var dbf = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fx.dir + "/cells.dbf")))
        let header = Int(dbf[8]) | Int(dbf[9]) << 8, record = Int(dbf[10]) | Int(dbf[11]) << 8
        let cap = header + record * 3 + 1 + 10
        dbf.replaceSubrange(cap..<(cap + 8), with: [0x31, 0x1B, 0x5B, 0x32, 0x4A, 0x20, 0x20, 0x20])
        TestSupport.write(bytes: dbf, to: fx.dir + "/cells.dbf")
        let s = try fx.run([fx.dir + "/cells.shp"], layer: "cells", role: .generic)
        #expect(s.imported == 4 && s.rejected == 1)
        let reason = s.firstRejectReasons.first ?? ""
        #expect(reason.contains(#""1\u{1B}[2J" is not a number"#), "\(reason)")
        #expect(!reason.unicodeScalars.contains { $0.value < 0x20 })
    }
}
