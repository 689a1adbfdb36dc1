import Geo

/// SpatiaLite's internal BLOB-Geometry format (little-endian, XY), written
/// directly so a bulk import avoids one SQL function call per row. Internal to
/// `Storage`: the `FeatureStore` protocol hands out `Geometry`, never blobs.
///
/// Layout: 0x00, 0x01 (LE), SRID i32, MBR (minx, miny, maxx, maxy) f64×4,
/// 0x7C, class i32, payload, 0xFE. Collections prefix each member with 0x69
/// and its class. See SpatiaLite's "BLOB-geometry" documentation.
/// Public for the fuzz harness only (the blob decoder reads bytes other tools
/// may have written into the database).
public enum SpatiaLiteBlob {
    /// The blob of `g` (XY, little-endian) with `srid`.
    public static func encode(_ g: Geometry, srid: Int32 = 4326) -> [UInt8] {
        var w = ByteWriter(capacity: 48 + g.coordinateCount * 16 + 8)
        let b = g.boundingBox
        w.u8(0x00); w.u8(0x01); w.i32(srid)
        w.f64(b.minX); w.f64(b.minY); w.f64(b.maxX); w.f64(b.maxY)
        w.u8(0x7C)
        w.u32(g.type.wkbCode)
        func line(_ cs: [Coordinate]) { w.u32(UInt32(cs.count)); for c in cs { w.coordinate(c) } }
        func poly(_ rs: [[Coordinate]]) { w.u32(UInt32(rs.count)); for r in rs { line(r) } }
        switch g {
        case .point(let c): w.coordinate(c)
        case .lineString(let cs): line(cs)
        case .polygon(let rs): poly(rs)
        case .multiPoint(let cs):
            w.u32(UInt32(cs.count))
            for c in cs { w.u8(0x69); w.u32(1); w.coordinate(c) }
        case .multiLineString(let ls):
            w.u32(UInt32(ls.count))
            for l in ls { w.u8(0x69); w.u32(2); line(l) }
        case .multiPolygon(let ps):
            w.u32(UInt32(ps.count))
            for p in ps { w.u8(0x69); w.u32(3); poly(p) }
        }
        w.u8(0xFE)
        return w.bytes
    }

    static func decode(_ raw: UnsafeRawBufferPointer) throws(GeoError) -> Geometry {
        var r = ByteReader(raw)
        guard raw.count >= 44, raw[0] == 0x00, raw[1] <= 1, raw[38] == 0x7C, raw[raw.count - 1] == 0xFE else {
            throw GeoError(.malformedBlob, "not a SpatiaLite geometry blob")
        }
        r.littleEndian = raw[1] == 1
        r.pos = 39
        let cls = try r.u32(.malformedBlob)
        // XYZ = +1000, XYM = +2000, XYZM = +3000; compressed (1000000+) not written by us.
        guard cls < 1_000_000 else { throw GeoError(.malformedBlob, "compressed SpatiaLite geometries are not supported") }
        let dims = cls >= 3000 ? 4 : (cls >= 1000 ? 3 : 2)
        func coord() throws(GeoError) -> Coordinate {
            let x = try r.f64(.malformedBlob), y = try r.f64(.malformedBlob)
            for _ in 2..<dims { _ = try r.f64(.malformedBlob) }
            return Coordinate(x, y)
        }
        func count(_ minSize: Int) throws(GeoError) -> Int {
            let n = Int(try r.u32(.malformedBlob))
            guard n * minSize <= r.remaining else { throw GeoError(.malformedBlob, "blob count \(n) exceeds the data") }
            return n
        }
        func line() throws(GeoError) -> [Coordinate] {
            let n = try count(16)
            var cs: [Coordinate] = []
            cs.reserveCapacity(n)
            for _ in 0..<n { cs.append(try coord()) }
            return cs
        }
        func poly() throws(GeoError) -> [[Coordinate]] {
            let n = try count(4)
            var rs: [[Coordinate]] = []
            rs.reserveCapacity(n)
            for _ in 0..<n { rs.append(try line()) }
            return rs
        }
        func member(_ expected: UInt32) throws(GeoError) {
            guard try r.u8(.malformedBlob) == 0x69 else { throw GeoError(.malformedBlob, "missing collection entity marker") }
            guard try r.u32(.malformedBlob) % 1000 == expected else { throw GeoError(.malformedBlob, "unexpected member class") }
        }
        switch cls % 1000 {
        case 1: return .point(try coord())
        case 2: return .lineString(try line())
        case 3: return .polygon(try poly())
        case 4:
            let n = try count(9)
            var cs: [Coordinate] = []
            for _ in 0..<n { try member(1); cs.append(try coord()) }
            return .multiPoint(cs)
        case 5:
            let n = try count(9)
            var ls: [[Coordinate]] = []
            for _ in 0..<n { try member(2); ls.append(try line()) }
            return .multiLineString(ls)
        case 6:
            let n = try count(9)
            var ps: [[[Coordinate]]] = []
            for _ in 0..<n { try member(3); ps.append(try poly()) }
            return .multiPolygon(ps)
        default:
            throw GeoError(.unsupportedGeometry, "SpatiaLite geometry class \(cls) is not supported")
        }
    }

    /// Decodes a blob (either byte order; XYZ/XYM/XYZM ordinates beyond XY dropped).
    /// Throws `GeoError` `.malformedBlob` for a blob that is not one, `.unsupportedGeometry`
    /// for a class it does not read (compressed, collections).
    public static func decode(_ bytes: [UInt8]) throws(GeoError) -> Geometry {
        let r: Result<Geometry, GeoError> = bytes.withUnsafeBytes { raw in
            do throws(GeoError) { return .success(try decode(raw)) } catch { return .failure(error) }
        }
        return try r.get()
    }
}
