import CityOps
import Foundation
import Geo
import Hummingbird
import Storage

extension RouteEnvironment {
    func addQueryRoutes(to router: Router<CityTwinRequestContext>) {
        router.get("/v1/locate") { request, _ -> JSONResponse in
            let p = try QueryParameters(request).point()
            let found = snapshot.locate(lon: p.x, lat: p.y)
            var out = "{"
            for (n, role) in [LayerRole.grid, .community, .street, .district].enumerated() {
                if n > 0 { out += "," }
                out += "\"\(role.rawValue)\":"
                if let (l, i) = found[role] { ResponseJSON.area(l, i, into: &out) } else { out += "null" }
            }
            return JSONResponse(text: out + "}")
        }

        router.get("/v1/nearest") { request, _ -> JSONResponse in
            let q = QueryParameters(request)
            let s = snapshot
            let l = try layer(try q.required("layer"), in: s)
            let p = try q.point()
            let k = try q.int("k", range: 1...config.limits.maxK, default: 5)
            let maxDistance = try q.double("max_distance", range: 0...config.limits.maxRadius) ?? .infinity
            let crs = try q.crs("out_crs")
            if isLive(l, s) {
                let op = q.params.getAll("where").first { $0.hasPrefix("operator:") }.map { String($0.dropFirst(9)) }
                let found = try liveBikes.nearest(lon: p.x, lat: p.y, k: k, maxDistance: maxDistance, operatorName: op)
                return JSONResponse(text: "{\"results\":" + Self.liveHits(found, crs) + "}")
            }
            let filter = try whereFilter(q.params, l)
            let hits = s.nearest(l, lon: p.x, lat: p.y, k: k, maxDistance: maxDistance, filter: filter)
            return JSONResponse(text: "{\"results\":" + ResponseJSON.hits(l, hits, crs: crs) + "}")
        }

        router.get("/v1/within") { request, _ -> JSONResponse in
            let q = QueryParameters(request)
            let s = snapshot
            let l = try layer(try q.required("layer"), in: s)
            let p = try q.point()
            let radius = try q.double("radius", required: true, range: 0...config.limits.maxRadius)!
            let limit = try q.int("limit", range: 0...config.limits.maxPage, default: 100)
            let crs = try q.crs("out_crs")
            if isLive(l, s) {
                let found = try liveBikes.within(lon: p.x, lat: p.y, radius: radius, limit: limit)
                return JSONResponse(text: "{\"count\":\(found.count),\"results\":" + Self.liveHits(found.bikes, crs) + "}")
            }
            let (count, hits) = s.within(l, lon: p.x, lat: p.y, radius: radius, limit: limit)
            return JSONResponse(text: "{\"count\":\(count),\"results\":" + ResponseJSON.hits(l, hits, crs: crs) + "}")
        }

        router.post("/v1/within/batch") { request, _ -> JSONResponse in
            let body = try await jsonBody(request)
            guard case .object = body else { throw Problem(.badRequest, "body must be a JSON object", title: "Invalid body") }
            let s = snapshot
            guard let name = body["layer"]?.stringValue else { throw Problem.badParameter("layer", "is required (a layer name)") }
            let l = try layer(name, in: s)
            guard let radius = body["radius"]?.doubleValue, radius.isFinite, radius >= 0, radius <= config.limits.maxRadius else {
                throw Problem.badParameter("radius", "must be a number between 0 and \(config.limits.maxRadius)")
            }
            let crs: CRS
            if let c = body["crs"] { guard let k = c.stringValue.flatMap({ CRS(name: $0.lowercased()) }) else { throw Problem.badParameter("crs", "must be one of wgs84, cgcs2000, gcj02, bd09") }; crs = k } else { crs = .wgs84 }
            var centers: [Coordinate] = []
            if let list = body["centers"] {
                guard let items = list.arrayValue else { throw Problem.badParameter("centers", "must be an array of [lon, lat]") }
                guard items.count <= config.limits.maxBatch else {
                    throw Problem(.contentTooLarge, "centers has \(items.count) items, the limit is \(config.limits.maxBatch)", title: "Batch too large")
                }
                centers.reserveCapacity(items.count)
                for (i, item) in items.enumerated() {
                    guard let pair = item.arrayValue, pair.count == 2, let x = pair[0].doubleValue, let y = pair[1].doubleValue,
                          x.isFinite, y.isFinite, (-180...180).contains(x), (-90...90).contains(y) else {
                        throw Problem.badParameter("centers[\(i)]", "must be [lon, lat] within range")
                    }
                    centers.append(try crs.toWGS84(Coordinate(x, y)))
                }
            } else if let from = body["centers_layer"]?.stringValue {
                let cl = try layer(from, in: s)
                guard cl.count <= config.limits.maxBatch else {
                    throw Problem(.contentTooLarge, "centers_layer has \(cl.count) features, the limit is \(config.limits.maxBatch)", title: "Batch too large")
                }
                centers = s.centers(of: cl)
            } else {
                throw Problem.badParameter("centers", "give centers or centers_layer")
            }
            let counts = isLive(l, s) ? try liveBikes.countWithin(centers: centers, radius: radius)
                                      : s.countWithin(l, centers: centers, radius: radius)
            return JSONResponse(text: "{\"counts\":[" + counts.map(String.init).joined(separator: ",") + "]}")
        }
    }

    /// `where=key:value`, repeatable; all must hold.
    func whereFilter(_ params: Parameters, _ l: LayerSnapshot) throws -> ((Int) -> Bool)? {
        let clauses = params.getAll("where")
        guard !clauses.isEmpty else { return nil }
        var preds: [(Int) -> Bool] = []
        for c in clauses {
            guard let colon = c.firstIndex(of: ":"), colon != c.startIndex else {
                throw Problem.badParameter("where", "must be key:value, got \"\(c.prefix(60))\"")
            }
            let key = String(c[..<colon])
            guard l.properties.hasKey(key) else {
                throw Problem.badParameter("where", "layer \(l.info.name) has no property \"\(key.prefix(60))\"")
            }
            preds.append(l.properties.matcher(key: key, value: String(c[c.index(after: colon)...])))
        }
        return { i in preds.allSatisfy { $0(i) } }
    }
}
