/// OGC Well-Known Binary. Encoding is 2D little-endian; decoding accepts
/// either byte order and ISO (1000/2000/3000) or EWKB Z/M flags, dropping
/// the extra ordinates.
public enum WKB {
    public static func encode(_ g: Geometry) -> [UInt8] {
        var w = ByteWriter(capacity: 21 + g.coordinateCount * 16)
        write(g, &w)
        return w.bytes
    }

    static func write(_ g: Geometry, _ w: inout ByteWriter) {
        w.u8(1)
        w.u32(g.type.wkbCode)
        switch g {
        case .point(let c): w.coordinate(c)
        case .lineString(let cs): points(cs, &w)
        case .polygon(let rs): rings(rs, &w)
        case .multiPoint(let cs):
            w.u32(UInt32(cs.count))
            for c in cs { write(.point(c), &w) }
        case .multiLineString(let ls):
            w.u32(UInt32(ls.count))
            for l in ls { write(.lineString(l), &w) }
        case .multiPolygon(let ps):
            w.u32(UInt32(ps.count))
            for p in ps { write(.polygon(p), &w) }
        }
    }

    static func points(_ cs: [Coordinate], _ w: inout ByteWriter) {
        w.u32(UInt32(cs.count))
        for c in cs { w.coordinate(c) }
    }

    static func rings(_ rs: [[Coordinate]], _ w: inout ByteWriter) {
        w.u32(UInt32(rs.count))
        for r in rs { points(r, &w) }
    }

    public static func decode(_ bytes: [UInt8]) throws(GeoError) -> Geometry {
        let r: Result<Geometry, GeoError> = bytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            do throws(GeoError) {
                let g = try read(&reader, depth: 0)
                return .success(g)
            } catch { return .failure(error) }
        }
        return try r.get()
    }

    /// Deepest nesting accepted: a multi-geometry holds simple members
    /// (depth 1), a GeometryCollection may hold collections a few levels
    /// deep. Bounding it keeps hostile input from exhausting the stack.
    static let maxDepth = 16

    static func read(_ r: inout ByteReader, depth: Int) throws(GeoError) -> Geometry {
        guard depth <= maxDepth else { throw GeoError(.malformedWKB, "WKB geometries nested deeper than \(maxDepth)") }
        let order = try r.u8(.malformedWKB)
        guard order <= 1 else { throw GeoError(.malformedWKB, "invalid WKB byte order \(order)") }
        r.littleEndian = order == 1
        var code = try r.u32(.malformedWKB)
        var dims = 2
        if code & 0x8000_0000 != 0 { dims += 1 }          // EWKB Z
        if code & 0x4000_0000 != 0 { dims += 1 }          // EWKB M
        if code & 0x2000_0000 != 0 { _ = try r.u32(.malformedWKB) } // EWKB SRID
        code &= 0x0FFF_FFFF
        switch code / 1000 {
        case 1, 2: dims = max(dims, 3)
        case 3: dims = 4
        default: break
        }
        code %= 1000
        func coord(_ r: inout ByteReader) throws(GeoError) -> Coordinate {
            let x = try r.f64(.malformedWKB), y = try r.f64(.malformedWKB)
            for _ in 2..<dims { _ = try r.f64(.malformedWKB) }
            return Coordinate(x, y)
        }
        func count(_ r: inout ByteReader, _ minSize: Int) throws(GeoError) -> Int {
            let n = Int(try r.u32(.malformedWKB))
            guard n * minSize <= r.remaining else { throw GeoError(.malformedWKB, "WKB count \(n) exceeds the data") }
            return n
        }
        func line(_ r: inout ByteReader) throws(GeoError) -> [Coordinate] {
            let n = try count(&r, 16)
            var cs: [Coordinate] = []
            cs.reserveCapacity(n)
            for _ in 0..<n { cs.append(try coord(&r)) }
            return cs
        }
        func poly(_ r: inout ByteReader) throws(GeoError) -> [[Coordinate]] {
            let n = try count(&r, 4)
            var rs: [[Coordinate]] = []
            for _ in 0..<n { rs.append(try line(&r)) }
            return rs
        }
        switch code {
        case 1: return .point(try coord(&r))
        case 2: return .lineString(try line(&r))
        case 3: return .polygon(try poly(&r))
        case 4, 5, 6:
            let n = try count(&r, 9)
            var parts: [Geometry] = []
            // Members of a multi-geometry are simple geometries: one level, no further nesting.
            guard depth == 0 else { throw GeoError(.malformedWKB, "multi-geometry nested inside another geometry") }
            for _ in 0..<n { parts.append(try read(&r, depth: depth + 1)) }
            switch code {
            case 4:
                return .multiPoint(try parts.map { (g) throws(GeoError) -> Coordinate in
                    guard case .point(let c) = g else { throw GeoError(.malformedWKB, "MultiPoint member is not a Point") }
                    return c
                })
            case 5:
                return .multiLineString(try parts.map { (g) throws(GeoError) -> [Coordinate] in
                    guard case .lineString(let l) = g else { throw GeoError(.malformedWKB, "MultiLineString member is not a LineString") }
                    return l
                })
            default:
                return .multiPolygon(try parts.map { (g) throws(GeoError) -> [[Coordinate]] in
                    guard case .polygon(let p) = g else { throw GeoError(.malformedWKB, "MultiPolygon member is not a Polygon") }
                    return p
                })
            }
        case 7:
            throw GeoError(.unsupportedGeometry, "GeometryCollection is not supported")
        default:
            throw GeoError(.malformedWKB, "unknown WKB geometry type \(code)")
        }
    }
}

extension WKB {
    /// Decodes WKB that may be a GeometryCollection (as GEOS make-valid can
    /// return) into its simple parts, flattening multi-geometries too.
    public static func decodeParts(_ bytes: [UInt8]) throws(GeoError) -> [Geometry] {
        let r: Result<[Geometry], GeoError> = bytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            do throws(GeoError) {
                var out: [Geometry] = []
                try readParts(&reader, into: &out, depth: 0)
                return .success(out)
            } catch { return .failure(error) }
        }
        return try r.get()
    }

    static func readParts(_ r: inout ByteReader, into out: inout [Geometry], depth: Int) throws(GeoError) {
        guard depth <= maxDepth else { throw GeoError(.malformedWKB, "WKB geometry collections nested deeper than \(maxDepth)") }
        let save = r.pos
        let order = try r.u8(.malformedWKB)
        guard order <= 1 else { throw GeoError(.malformedWKB, "invalid WKB byte order \(order)") }
        r.littleEndian = order == 1
        var code = try r.u32(.malformedWKB)
        if code & 0x2000_0000 != 0 { _ = try r.u32(.malformedWKB) } // EWKB SRID
        code = (code & 0x0FFF_FFFF) % 1000
        if code == 7 {
            let n = Int(try r.u32(.malformedWKB))
            // Every member takes at least 5 bytes (byte order and type).
            guard n <= r.remaining / 5 else { throw GeoError(.malformedWKB, "WKB count \(n) exceeds the data") }
            for _ in 0..<n { try readParts(&r, into: &out, depth: depth + 1) }
            return
        }
        r.pos = save
        switch try read(&r, depth: 0) {
        case .multiPoint(let cs): out += cs.map { .point($0) }
        case .multiLineString(let ls): out += ls.map { .lineString($0) }
        case .multiPolygon(let ps): out += ps.map { .polygon($0) }
        case let g: out.append(g)
        }
    }
}
