/// OGC Well-Known Text for the six simple types (Z/M/ZM and an EWKT
/// `SRID=n;` prefix accepted and dropped). Used by the CSV reader.
public enum WKT {
    public static func parse(_ text: String) throws(GeoError) -> Geometry {
        var s = Substring(text)
        if s.uppercased().hasPrefix("SRID="), let semi = s.firstIndex(of: ";") { s = s[s.index(after: semi)...] }
        var p = Scanner(s.utf8)
        let g = try p.geometry()
        p.skipSpace()
        guard p.atEnd else { throw p.error("unexpected text after the geometry") }
        return g
    }

    struct Scanner {
        let bytes: [UInt8]
        var pos = 0
        init(_ u: Substring.UTF8View) { bytes = Array(u) }
        var atEnd: Bool { pos >= bytes.count }

        func error(_ m: String) -> GeoError { GeoError(.malformedWKT, "malformed WKT: \(m)", context: "character \(pos)") }

        mutating func skipSpace() { while pos < bytes.count, bytes[pos] == 0x20 || bytes[pos] == 0x09 || bytes[pos] == 0x0A || bytes[pos] == 0x0D { pos += 1 } }

        mutating func word() -> String {
            skipSpace()
            let start = pos
            while pos < bytes.count, (bytes[pos] | 0x20) >= 0x61 && (bytes[pos] | 0x20) <= 0x7A { pos += 1 }
            return String(decoding: bytes[start..<pos], as: UTF8.self).uppercased()
        }

        mutating func peek(_ c: UInt8) -> Bool { skipSpace(); return pos < bytes.count && bytes[pos] == c }

        mutating func expect(_ c: UInt8) throws(GeoError) {
            guard peek(c) else { throw error("expected '\(Character(Unicode.Scalar(c)))'") }
            pos += 1
        }

        mutating func number() throws(GeoError) -> Double {
            skipSpace()
            let start = pos
            while pos < bytes.count, let c = Optional(bytes[pos]), (c >= 0x30 && c <= 0x39) || c == 0x2E || c == 0x2D || c == 0x2B || c == 0x65 || c == 0x45 || (c | 0x20) == 0x6E || (c | 0x20) == 0x61 || (c | 0x20) == 0x69 || (c | 0x20) == 0x66 || (c | 0x20) == 0x74 || (c | 0x20) == 0x79 { pos += 1 }
            let t = String(decoding: bytes[start..<pos], as: UTF8.self)
            guard let v = Double(t) else { throw error("invalid number '\(t)'") }
            return v
        }

        mutating func coordinate(_ dims: Int) throws(GeoError) -> Coordinate {
            let x = try number(), y = try number()
            // Z and/or M ordinates, tagged or not, are read and dropped.
            var extra = 0
            while extra < 2 && !peek(0x2C) && !peek(0x29) && !atEnd { _ = try number(); extra += 1 }
            return Coordinate(x, y)
        }

        mutating func coordinates(_ dims: Int) throws(GeoError) -> [Coordinate] {
            try expect(0x28)
            var out = [try coordinate(dims)]
            while peek(0x2C) { pos += 1; out.append(try coordinate(dims)) }
            try expect(0x29)
            return out
        }

        mutating func list<T>(_ item: (inout Scanner) throws(GeoError) -> T) throws(GeoError) -> [T] {
            try expect(0x28)
            var out = [try item(&self)]
            while peek(0x2C) { pos += 1; out.append(try item(&self)) }
            try expect(0x29)
            return out
        }

        mutating func geometry() throws(GeoError) -> Geometry {
            let tag = word()
            var dims = 2
            let save = pos
            let mod = word()
            switch mod {
            case "Z", "M": dims = 3
            case "ZM": dims = 4
            case "EMPTY": throw GeoError(.emptyGeometry, "empty geometry (\(tag) EMPTY)")
            default: pos = save
            }
            let saveEmpty = pos
            if word() == "EMPTY" { throw GeoError(.emptyGeometry, "empty geometry (\(tag) EMPTY)") }
            pos = saveEmpty
            switch tag {
            case "POINT":
                try expect(0x28)
                let c = try coordinate(dims)
                try expect(0x29)
                return .point(c)
            case "LINESTRING": return .lineString(try coordinates(dims))
            case "POLYGON": return .polygon(try list { (s) throws(GeoError) in try s.coordinates(dims) })
            case "MULTIPOINT":
                // Both MULTIPOINT((1 2),(3 4)) and MULTIPOINT(1 2, 3 4).
                try expect(0x28)
                var pts: [Coordinate] = []
                repeat {
                    if peek(0x2C) { pos += 1 }
                    if peek(0x28) { pos += 1; pts.append(try coordinate(dims)); try expect(0x29) } else { pts.append(try coordinate(dims)) }
                } while peek(0x2C)
                try expect(0x29)
                return .multiPoint(pts)
            case "MULTILINESTRING": return .multiLineString(try list { (s) throws(GeoError) in try s.coordinates(dims) })
            case "MULTIPOLYGON":
                return .multiPolygon(try list { (s) throws(GeoError) in try s.list { (t) throws(GeoError) in try t.coordinates(dims) } })
            case "GEOMETRYCOLLECTION": throw GeoError(.unsupportedGeometry, "GEOMETRYCOLLECTION is not supported")
            case "": throw error("expected a geometry type")
            default: throw error("unknown geometry type \(tag)")
            }
        }
    }
}
