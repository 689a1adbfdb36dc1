import CityOps
import Foundation
import Geo
import Geocoder
import Hummingbird

extension RouteEnvironment {
    func addGeocodeRoutes(to router: Router<CityTwinRequestContext>) {
        router.get("/v1/geocode") { request, _ -> JSONResponse in
            let q = QueryParameters(request)
            let extract = try Self.extractMode(q.string("mode"))
            let text = try Self.queryText(q.required("q"), "q", max: extract ? Self.maxTextLength : 200)
            let limit = try q.int("limit", range: 1...20, default: 5)
            let focus = try focusPoint(q)
            let out = try q.crs("out_crs")
            let s = snapshot
            if extract {
                let m = geocoding.extract(text, focus: focus, limit: limit, snapshot: s)
                return JSONResponse(text: JSONWriter.string(Self.extractJSON(text, m, out, config.dispatch.taxonomy)))
            }
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
            var extract = false
            if let m = body["mode"], m != .null {
                guard let mode = m.stringValue else { throw Problem.badParameter("mode", "must be \"address\" or \"extract\"") }
                extract = try Self.extractMode(mode)
            }
            var texts: [String] = []
            for (i, item) in items.enumerated() {
                guard let t = item.stringValue else { throw Problem.badParameter("queries[\(i)]", "must be a string") }
                texts.append(try Self.queryText(t, "queries[\(i)]", max: extract ? Self.maxTextLength : 200))
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
            if extract {
                let found = geocoding.batchExtract(texts, focus: focus, limit: limit, snapshot: snapshot)
                return JSONResponse(text: JSONWriter.string(.object(JSONObject([
                    ("results", .array(zip(texts, found).map { Self.extractJSON($0, $1, out, config.dispatch.taxonomy) })),
                ]))))
            }
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

    /// `mode`: absent or `address` (the text is an address), `extract` (find the place inside the text).
    static func extractMode(_ mode: String?) throws -> Bool {
        switch mode {
        case nil, "", "address": return false
        case "extract": return true
        default: throw Problem.badParameter("mode", "must be \"address\" or \"extract\"")
        }
    }

    /// `{"query","mention":{"text","span"}|null,"results":[…],"event_type":{…}|null}` for `mode=extract`
    /// (`event_type`: what event intake would propose for the text).
    static func extractJSON(_ text: String, _ m: PlacedMention?, _ out: CRS, _ taxonomy: EventTaxonomy) -> JSONValue {
        .object(JSONObject([
            ("query", .string(text)), ("mention", GeocodeAnswerJSON.mention(m)),
            ("results", .array((m?.results ?? []).map { geocodeJSON($0, out) })),
            ("event_type", taxonomy.classify(text).map(EventTypeProposal.json) ?? .null),
        ]))
    }

    /// Work-order texts for `mode=extract` (addresses stop at 200 characters).
    static let maxTextLength = 1000

    static func queryText(_ s: String, _ name: String, max: Int = 200) throws -> String {
        let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !t.isEmpty else { throw Problem.badParameter(name, "is empty") }
        guard t.count <= max else { throw Problem.badParameter(name, "is longer than \(max) characters") }
        return t
    }

    static func area(_ a: (LayerSnapshot, Int)?) -> JSONValue { GeocodeAnswerJSON.area(a) }

    static func geocodeJSON(_ r: PlacedResult, _ out: CRS) -> JSONValue { GeocodeAnswerJSON.result(r, output: out.fromWGS84) }
}
