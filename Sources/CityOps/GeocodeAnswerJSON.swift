import Geo
import Geocoder

/// The JSON of geocoding answers, written once for the HTTP routes and the
/// CLI (`citytwin geocode`, `citytwin reverse`) so the two cannot drift.
/// `output` converts WGS84 points to the answer's CRS (identity by default).
///
/// Both answers also carry Amap-style members: `province`, `city`,
/// `district_name` (Amap's `district`; ours is the owning area's object),
/// `adcode`, `township` (街道), `neighborhood` (社区), `amap_level` and
/// `out_of_area`. Province and city come from the national table by the owning
/// district's code; an answer outside the deployment names the division the
/// text named, with null `lon`/`lat`.
public enum GeocodeAnswerJSON {
    /// `{"id","code","name"}` of an admin area or grid, or null.
    public static func area(_ a: (LayerSnapshot, Int)?) -> JSONValue {
        guard let (l, i) = a else { return .null }
        let p = l.properties.object(i)
        return .object(JSONObject([("id", .number(Double(l.featureIDs[i]))), ("code", p["code"] ?? .null), ("name", p["name"] ?? .null)]))
    }

    /// The Amap-style members for the areas owning a point, or (when no
    /// district owns it) the division named in the text (`region`).
    static func amap(_ areas: [LayerRole: (LayerSnapshot, Int)], region: DivisionRegion, level: String?, outOfArea: Bool)
        -> [(String, JSONValue)] {
        func prop(_ role: LayerRole, _ key: String) -> String? {
            areas[role].flatMap { $0.0.properties.object($0.1)[key]?.textValue }
        }
        let table = AdminDivisionTable.national
        func name(_ code: String?) -> JSONValue {
            guard let d = code.flatMap(table.division(code:)), !d.isSynthetic else { return .null }
            return .string(d.name)
        }
        let districtCode = prop(.district, "code")
        let r = districtCode.map { table.region(ofCode: $0) } ?? region
        let districtName = prop(.district, "name").map(JSONValue.string) ?? name(r.county)
        let adcode = districtCode ?? r.deepest
        return [
            ("province", name(r.province)), ("city", name(r.city)), ("district_name", districtName),
            ("adcode", adcode.map(JSONValue.string) ?? .null),
            ("township", prop(.street, "name").map(JSONValue.string) ?? .null),
            ("neighborhood", prop(.community, "name").map(JSONValue.string) ?? .null),
            ("amap_level", level.map(JSONValue.string) ?? .null), ("out_of_area", .bool(outOfArea)),
        ]
    }

    /// One forward candidate: lon, lat (1e-7°; null for a division outside the deployment),
    /// level, match_type, confidence (3 decimals), formatted, components, the grid,
    /// community, street and district owning the point, and the Amap-style members.
    public static func result(_ r: PlacedResult, output: (Coordinate) -> Coordinate = { $0 }) -> JSONValue {
        let c = r.result.hasPoint ? output(r.result.point) : r.result.point
        return .object(JSONObject([
            ("lon", .number((c.x * 1e7).rounded() / 1e7)), ("lat", .number((c.y * 1e7).rounded() / 1e7)),
            ("level", .string(r.result.level.rawValue)), ("match_type", .string(r.result.matchType)),
            ("confidence", .number((r.result.confidence * 1000).rounded() / 1000)), ("formatted", .string(r.result.formatted)),
            ("components", .object(JSONObject(r.result.components.map { ($0.key, JSONValue.string($0.value)) }))),
            ("grid", area(r.areas[.grid])), ("community", area(r.areas[.community])),
            ("street", area(r.areas[.street])), ("district", area(r.areas[.district])),
        ] + amap(r.areas, region: r.result.region, level: r.result.level.amapLevel, outOfArea: r.result.outOfArea)))
    }

    /// A reverse answer for the point `at` (WGS84): formatted, description, the owning
    /// areas, and the nearest address, road and POI with id, distance, position and
    /// (for a POI) the compass direction from it to the point, and the Amap-style
    /// members (`amap_level` the finest of address, road, street, district found;
    /// `out_of_area` when no district owns the point).
    public static func reverse(_ r: ReverseAnswer, at p: Coordinate, output: (Coordinate) -> Coordinate = { $0 }) -> JSONValue {
        func near(_ x: (LayerSnapshot, Int, Double)?, _ key: String) -> JSONValue {
            guard let (l, i, d) = x else { return .null }
            var o = JSONObject([("id", .number(Double(l.featureIDs[i]))), (key, l.properties.object(i)[key] ?? .null),
                                ("distance_m", .number((d * 10).rounded() / 10))])
            if case .point(let c) = l.geometry.geometry(i) {
                let oc = output(c)
                o["lon"] = .number(oc.x); o["lat"] = .number(oc.y)
                if key == "name" { o["direction"] = .string(GeocodingService.direction(from: c, to: p)) }
            }
            return .object(o)
        }
        return .object(JSONObject([
            ("formatted", .string(r.formatted)), ("description", .string(r.description)),
            ("district", area(r.areas[.district])), ("street", area(r.areas[.street])),
            ("community", area(r.areas[.community])), ("grid", area(r.areas[.grid])),
            ("address", near(r.address, "full")), ("road", near(r.road, "name")), ("poi", near(r.poi, "name")),
        ] + amap(r.areas, region: DivisionRegion(), level: reverseLevel(r)?.amapLevel, outOfArea: r.areas[.district] == nil)))
    }

    /// The finest thing a reverse answer names.
    static func reverseLevel(_ r: ReverseAnswer) -> MatchLevel? {
        if r.address != nil { return .address }
        if r.road != nil { return .road }
        if r.areas[.street] != nil { return .street }
        if r.areas[.district] != nil { return .district }
        return nil
    }
}
