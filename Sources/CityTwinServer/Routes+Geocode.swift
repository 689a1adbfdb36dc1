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
            let out: CRS
            if let o = body["out_crs"] {
                guard let s = o.stringValue, let c = CRS(name: s.lowercased()) else { throw Problem.badParameter("out_crs", "must be one of wgs84, cgcs2000, gcj02, bd09") }
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
            return JSONResponse(text: JSONWriter.string(GeocodeAnswerJSON.reverse(r, at: p, output: out.fromWGS84)))
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

    static func area(_ a: (LayerSnapshot, Int)?) -> JSONValue { GeocodeAnswerJSON.area(a) }

    static func geocodeJSON(_ r: PlacedResult, _ out: CRS) -> JSONValue { GeocodeAnswerJSON.result(r, output: out.fromWGS84) }
}
