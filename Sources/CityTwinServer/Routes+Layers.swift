import CityOps
import Foundation
import Geo
import Hummingbird
import Storage

extension RouteEnvironment {
    func addLayerRoutes(to router: Router<CityTwinRequestContext>) {
        router.get("/v1/layers") { _, _ -> JSONResponse in
            JSONResponse(text: LayerCatalogJSON.encode(snapshot.layers.values.map(\.info).sorted { $0.name < $1.name }))
        }

        // OGC API Features style paging: numberMatched, numberReturned, next.
        router.get("/v1/layers/:layer/features") { request, context -> JSONResponse in
            let s = snapshot
            let l = try layer(context.parameters.require("layer"), in: s)
            let q = QueryParameters(request)
            let bbox = try q.bbox()
            let limit = try q.int("limit", range: 1...config.limits.maxPage, default: 100)
            let offset = try q.int("offset", range: 0...Int(Int32.max), default: 0)
            let crs = try q.crs("out_crs")
            let matched = s.features(l, bbox: bbox)
            let page = matched.dropFirst(offset).prefix(limit)
            var out = "{\"type\":\"FeatureCollection\",\"numberMatched\":\(matched.count),\"numberReturned\":\(page.count),\"features\":["
            for (n, i) in page.enumerated() {
                if n > 0 { out += "," }
                ResponseJSON.feature(l, i, crs: crs, into: &out)
            }
            out += "],\"next\":"
            if offset + page.count < matched.count {
                var next = "/v1/layers/\(l.info.name)/features?limit=\(limit)&offset=\(offset + page.count)"
                if let b = q.string("bbox") { next += "&bbox=\(b)" }
                if let c = q.string("out_crs") { next += "&out_crs=\(c)" }
                JSONWriter.writeString(next, to: &out)
            } else {
                out += "null"
            }
            return JSONResponse(text: out + "}")
        }

        router.get("/v1/layers/:layer/features/:id") { request, context -> JSONResponse in
            let s = snapshot
            let l = try layer(context.parameters.require("layer"), in: s)
            let raw = try context.parameters.require("id")
            guard let id = Int64(raw) else { throw Problem.badParameter("id", "must be an integer feature id") }
            guard let i = l.position(ofFeatureID: id) else { throw Problem(.notFound, "layer \(l.info.name) has no feature \(id)", title: "Unknown feature") }
            var out = ""
            ResponseJSON.feature(l, i, crs: try QueryParameters(request).crs("out_crs"), into: &out)
            return JSONResponse(text: out)
        }
    }
}

/// `/v1/layers` answer: `[{"name","role","geometry_type","count","bbox","minzoom","maxzoom","version"}]`.
enum LayerCatalogJSON {
    static func encode(_ layers: [LayerInfo]) -> String {
        var out = "["
        for (i, l) in layers.enumerated() {
            if i > 0 { out += "," }
            out += "{\"name\":"
            JSONWriter.writeString(l.name, to: &out)
            out += ",\"role\":\"\(l.role.rawValue)\",\"geometry_type\":\"\(l.geometryType)\",\"count\":\(l.count),\"bbox\":"
            if l.bbox.isEmpty { out += "null" } else {
                out += "[" + l.bbox.array.map { GeoJSON.formatCoordinate($0, 7) }.joined(separator: ",") + "]"
            }
            out += ",\"minzoom\":\(l.minzoom),\"maxzoom\":\(l.maxzoom),\"version\":\(l.version),\"updated_at\":\"\(l.updatedAt)\"}"
        }
        return out + "]"
    }
}
