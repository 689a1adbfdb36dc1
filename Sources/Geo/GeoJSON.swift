/// GeoJSON (RFC 7946) decoding of features and geometries from parsed JSON,
/// and encoding back to text. Z and M values are dropped: the twin is 2D.
public enum GeoJSON {
    public static func decodeFeature(_ v: JSONValue) throws(GeoError) -> Feature {
        guard case .object(let o) = v else { throw GeoError(.malformedGeoJSON, "a feature must be a JSON object") }
        let type = o["type"]?.stringValue
        if let type, GeometryType(rawValue: type) != nil {
            return Feature(geometry: try decodeGeometry(v))
        }
        guard type == "Feature" else {
            throw GeoError(.malformedGeoJSON, "expected \"type\": \"Feature\", found \(type.map { InputText.quoted($0) } ?? "no type")")
        }
        var props = JSONObject()
        switch o["properties"] {
        case .object(let p)?: props = p
        case .null?, nil: break
        default: throw GeoError(.malformedGeoJSON, "\"properties\" must be an object or null")
        }
        var geometry: Geometry?
        if let g = o["geometry"], g != .null { geometry = try decodeGeometry(g) }
        var id = o["id"]
        if id == .null { id = nil }
        return Feature(id: id, properties: props, geometry: geometry)
    }

    public static func decodeGeometry(_ v: JSONValue) throws(GeoError) -> Geometry {
        guard case .object(let o) = v else { throw GeoError(.malformedGeoJSON, "a geometry must be a JSON object") }
        guard let typeName = o["type"]?.stringValue else { throw GeoError(.malformedGeoJSON, "geometry has no \"type\"") }
        if typeName == "GeometryCollection" {
            throw GeoError(.unsupportedGeometry, "GeometryCollection is not supported; split it into features")
        }
        guard let type = GeometryType(rawValue: typeName) else {
            throw GeoError(.malformedGeoJSON, "unknown geometry type \(InputText.quoted(typeName))")
        }
        guard let coords = o["coordinates"] else { throw GeoError(.malformedGeoJSON, "\(type.rawValue) has no \"coordinates\"") }
        switch type {
        case .point: return .point(try position(coords))
        case .multiPoint: return .multiPoint(try positions(coords))
        case .lineString: return .lineString(try positions(coords))
        case .multiLineString: return .multiLineString(try nested(coords, positions))
        case .polygon: return .polygon(try nested(coords, positions))
        case .multiPolygon:
            guard case .array(let polys) = coords else { throw GeoError(.malformedGeoJSON, "MultiPolygon coordinates must be an array") }
            var out: [[[Coordinate]]] = []
            out.reserveCapacity(polys.count)
            for p in polys { out.append(try nested(p, positions)) }
            return .multiPolygon(out)
        }
    }

    static func position(_ v: JSONValue) throws(GeoError) -> Coordinate {
        guard case .array(let a) = v, a.count >= 2, case .number(let x) = a[0], case .number(let y) = a[1] else {
            throw GeoError(.malformedGeoJSON, "a position must be an array of at least two numbers")
        }
        return Coordinate(x, y)
    }

    static func positions(_ v: JSONValue) throws(GeoError) -> [Coordinate] {
        guard case .array(let a) = v else { throw GeoError(.malformedGeoJSON, "expected an array of positions") }
        var out: [Coordinate] = []
        out.reserveCapacity(a.count)
        for p in a { out.append(try position(p)) }
        return out
    }

    static func nested(_ v: JSONValue, _ inner: (JSONValue) throws(GeoError) -> [Coordinate]) throws(GeoError) -> [[Coordinate]] {
        guard case .array(let a) = v else { throw GeoError(.malformedGeoJSON, "expected an array of coordinate arrays") }
        var out: [[Coordinate]] = []
        out.reserveCapacity(a.count)
        for x in a { out.append(try inner(x)) }
        return out
    }

    // MARK: encoding

    public static func write(_ g: Geometry, to out: inout String, precision: Int = 7) {
        out += "{\"type\":\"\(g.type.rawValue)\",\"coordinates\":"
        switch g {
        case .point(let c): writePosition(c, &out, precision)
        case .multiPoint(let cs), .lineString(let cs): writePositions(cs, &out, precision)
        case .multiLineString(let ls), .polygon(let ls):
            out += "["
            for (i, l) in ls.enumerated() { if i > 0 { out += "," }; writePositions(l, &out, precision) }
            out += "]"
        case .multiPolygon(let ps):
            out += "["
            for (i, p) in ps.enumerated() {
                if i > 0 { out += "," }
                out += "["
                for (j, r) in p.enumerated() { if j > 0 { out += "," }; writePositions(r, &out, precision) }
                out += "]"
            }
            out += "]"
        }
        out += "}"
    }

    public static func string(_ g: Geometry, precision: Int = 7) -> String {
        var s = ""
        write(g, to: &s, precision: precision)
        return s
    }

    /// A Feature as compact GeoJSON text.
    public static func string(_ f: Feature, precision: Int = 7) -> String {
        var s = "{\"type\":\"Feature\""
        if let id = f.id { s += ",\"id\":"; JSONWriter.write(id, to: &s) }
        s += ",\"properties\":"
        JSONWriter.write(.object(f.properties), to: &s)
        s += ",\"geometry\":"
        if let g = f.geometry { write(g, to: &s, precision: precision) } else { s += "null" }
        s += "}"
        return s
    }

    static func writePositions(_ cs: [Coordinate], _ out: inout String, _ precision: Int) {
        out += "["
        for (i, c) in cs.enumerated() { if i > 0 { out += "," }; writePosition(c, &out, precision) }
        out += "]"
    }

    static func writePosition(_ c: Coordinate, _ out: inout String, _ precision: Int) {
        out += "["
        out += formatCoordinate(c.x, precision)
        out += ","
        out += formatCoordinate(c.y, precision)
        out += "]"
    }

    /// Fixed-precision decimal without trailing zeros; non-finite values as
    /// the bare tokens our parser accepts, so a reject file round-trips.
    public static func formatCoordinate(_ v: Double, _ precision: Int) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Infinity" : "Infinity" }
        // Precision is clamped to what the power table and Int64 can carry;
        // a value whose scaled form would not fit Int64 is written in
        // Swift's shortest round-trip form instead of trapping.
        let digits = min(max(precision, 0), 15)
        let scale = JSONParser.pow10[digits]
        let r = (v * scale).rounded() / scale
        if abs(r) >= 1e15 || abs(r) * scale >= 9.0e18 { return "\(r)" }
        let neg = r < 0
        let scaled = Int64((abs(r) * scale).rounded())
        let ip = scaled / Int64(scale)
        var fp = scaled % Int64(scale)
        var s = neg && scaled != 0 ? "-" : ""
        s += String(ip)
        if fp != 0 {
            var width = digits
            while fp % 10 == 0 { fp /= 10; width -= 1 }
            let f = String(fp)
            s += "." + String(repeating: "0", count: max(0, width - f.count)) + f
        }
        return s
    }
}
