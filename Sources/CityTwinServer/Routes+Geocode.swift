import CityOps
import Foundation
import Geo
import Geocoder
import Hummingbird

extension RouteEnvironment {
    func addGeocodeRoutes(to router: Router<CityTwinRequestContext>) {
        router.get("/v1/geocode") { request, _ -> JSONResponse in
            let q = QueryParameters(request)
            let text = try Self.queryText(q.required("q"), "q")
            let limit = try q.int("limit", range: 1...20, default: 5)
            let focus = try focusPoint(q)
            let out = try q.crs("out_crs")
            let s = snapshot
            let results = geocoding.geocode(text, focus: focus, limit: limit, snapshot: s)
            return JSONResponse(text: JSONWriter.string(.object(JSONObject([
                ("query", .string(text)), ("results", .array(results.map { Self.geocodeJSON($0, out) })),
            ]))))
        }

        router.post("/v1/geocode/batch") { request, _ -> JSONResponse in
            let body = try await jsonBody(request)
            guard case .object = body, let items = body["queries"]?.arrayValue else {
                throw Problem(.badRequest, "body must be {\"queries\": [\"address\", …]}", title: "Invalid body")
            }
            guard items.count <= config.limits.maxBatch else {
                throw Problem(.contentTooLarge, "\(items.count) queries, the limit is \(config.limits.maxBatch)", title: "Batch too large")
            }
            var texts: [String] = []
            for (i, item) in items.enumerated() {
                guard let t = item.stringValue else { throw Problem.badParameter("queries[\(i)]", "must be a string") }
                texts.append(try Self.queryText(t, "queries[\(i)]"))
            }
            let limit: Int
            if let l = body["limit"] {
                guard let d = l.doubleValue, d.rounded() == d, (1...20).contains(d) else { throw Problem.badParameter("limit", "must be an integer 1-20") }
                limit = Int(d)
            } else { limit = 1 }
            var focus: Coordinate?
            if let f = body["focus"] {
                guard let a = f.arrayValue?.compactMap(\.doubleValue), a.count == 2, (-180...180).contains(a[0]), (-90...90).contains(a[1]) else {
                    throw Problem.badParameter("focus", "must be [lon, lat]")
                }
                focus = Coordinate(a[0], a[1])
            }
            let out: CRSKind
            if let o = body["out_crs"] {
                guard let s = o.stringValue, let c = CRSKind(rawValue: s.lowercased()) else { throw Problem.badParameter("out_crs", "must be one of wgs84, cgcs2000, gcj02, bd09") }
                out = c
            } else { out = .wgs84 }
            let results = geocoding.batch(texts, focus: focus, limit: limit, snapshot: snapshot)
            return JSONResponse(text: JSONWriter.string(.object(JSONObject([
                ("results", .array(zip(texts, results).map { t, r in
                    .object(JSONObject([("query", .string(t)), ("results", .array(r.map { Self.geocodeJSON($0, out) }))]))
                })),
            ]))))
        }

        router.get("/v1/reverse") { request, _ -> JSONResponse in
            let q = QueryParameters(request)
            let p = try q.point()
            let out = try q.crs("out_crs")
            let r = geocoding.reverse(lon: p.x, lat: p.y, snapshot: snapshot)
            func near(_ x: (LayerSnapshot, Int, Double)?, _ key: String) -> JSONValue {
                guard let (l, i, d) = x else { return .null }
                var o = JSONObject([("id", .number(Double(l.featureIDs[i]))), (key, l.properties.object(i)[key] ?? .null),
                                    ("distance_m", .number((d * 10).rounded() / 10))])
                if case .point(let c) = l.geometry.geometry(i) {
                    let oc = out.fromWGS84(c)
                    o["lon"] = .number(oc.x); o["lat"] = .number(oc.y)
                    if key == "name" { o["direction"] = .string(GeocodingService.direction(from: c, to: p)) }
                }
                return .object(o)
            }
            return JSONResponse(text: JSONWriter.string(.object(JSONObject([
                ("formatted", .string(r.formatted)), ("description", .string(r.description)),
                ("district", Self.area(r.areas[.district])), ("street", Self.area(r.areas[.street])),
                ("community", Self.area(r.areas[.community])), ("grid", Self.area(r.areas[.grid])),
                ("address", near(r.address, "full")), ("road", near(r.road, "name")), ("poi", near(r.poi, "name")),
            ]))))
        }

        router.get("/v1/autocomplete") { request, _ -> JSONResponse in
            let q = QueryParameters(request)
            let text = try Self.queryText(q.required("q"), "q")
            let limit = try q.int("limit", range: 1...10, default: 10)
            let focus = try focusPoint(q)
            let out = try q.crs("out_crs")
            let kinds = ["admin", "road", "poi", "address"]
            let s = geocoding.autocomplete(text, focus: focus, limit: limit, snapshot: snapshot)
            return JSONResponse(text: JSONWriter.string(.object(JSONObject([
                ("query", .string(text)),
                ("suggestions", .array(s.map { x in
                    let c = out.fromWGS84(x.point)
                    return .object(JSONObject([("text", .string(x.text)), ("kind", .string(kinds[x.kind.rawValue])),
                                               ("lon", .number(c.x)), ("lat", .number(c.y))]))
                })),
            ]))))
        }
    }

    /// `focus=lon,lat` in the request's `crs`, as WGS84.
    func focusPoint(_ q: QueryParameters) throws -> Coordinate? {
        guard let f = q.string("focus"), !f.isEmpty else { return nil }
        let v = f.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard v.count == 2, let lon = v[0], let lat = v[1], (-180...180).contains(lon), (-90...90).contains(lat) else {
            throw Problem.badParameter("focus", "must be lon,lat")
        }
        return try q.crs("crs").toWGS84(Coordinate(lon, lat))
    }

    static func queryText(_ s: String, _ name: String) throws -> String {
        let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !t.isEmpty else { throw Problem.badParameter(name, "is empty") }
        guard t.count <= 200 else { throw Problem.badParameter(name, "is longer than 200 characters") }
        return t
    }

    static func area(_ a: (LayerSnapshot, Int)?) -> JSONValue {
        guard let (l, i) = a else { return .null }
        let p = l.properties.object(i)
        return .object(JSONObject([("id", .number(Double(l.featureIDs[i]))), ("code", p["code"] ?? .null), ("name", p["name"] ?? .null)]))
    }

    static func geocodeJSON(_ r: PlacedResult, _ out: CRSKind) -> JSONValue {
        let c = out.fromWGS84(r.result.point)
        return .object(JSONObject([
            ("lon", .number((c.x * 1e7).rounded() / 1e7)), ("lat", .number((c.y * 1e7).rounded() / 1e7)),
            ("level", .string(r.result.level.rawValue)), ("match_type", .string(r.result.matchType)),
            ("confidence", .number((r.result.confidence * 1000).rounded() / 1000)), ("formatted", .string(r.result.formatted)),
            ("components", .object(JSONObject(r.result.components.map { ($0.key, JSONValue.string($0.value)) }))),
            ("grid", area(r.areas[.grid])), ("community", area(r.areas[.community])),
            ("street", area(r.areas[.street])), ("district", area(r.areas[.district])),
        ]))
    }
}
