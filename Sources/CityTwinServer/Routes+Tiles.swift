import CityOps
import Foundation
import Geo
import Hummingbird
import HTTPTypes
import VectorTiles

extension RouteEnvironment {
    func addTileRoutes(to router: Router<CityTwinRequestContext>) {
        // /tiles/{layers}/{z}/{x}/{y}.mvt
        router.get("/tiles/:layers/:z/:x/:file") { request, context -> Response in
            let layers = context.parameters.get("layers") ?? ""
            let file = context.parameters.get("file") ?? ""
            guard file.hasSuffix(".mvt") else { throw Problem(.notFound, "no route GET \(request.uri.path)") }
            let z = try Self.tileNumber(context.parameters.get("z"), "z", max: 30)
            let x = try Self.tileNumber(context.parameters.get("x"), "x", max: (1 << z) - 1, zoom: z)
            let y = try Self.tileNumber(String(file.dropLast(4)), "y", max: (1 << z) - 1, zoom: z)
            let snapshot = self.snapshot
            let id = TileID(z: z, x: x, y: y)
            var headers = Self.tileHeaders
            let found: CachedTile?
            if let hit = tiles.cached(layers, id, snapshot: snapshot) {
                found = hit
            } else {
                let names = try tiles.resolve(layers, in: snapshot)
                found = try tiles.tile(names, id, snapshot: snapshot, cacheAs: layers)
            }
            guard let tile = found else {
                headers[.contentType] = nil
                return Response(status: .noContent, headers: headers)
            }
            headers[.eTag] = tile.etag
            if let inm = request.headers[.ifNoneMatch], inm.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == tile.etag || $0 == "*" }) {
                headers[.contentType] = nil
                return Response(status: .notModified, headers: headers)
            }
            if tile.truncated { headers[Self.truncatedHeader] = "true" }
            if Self.acceptsGzip(request) {
                headers[.contentEncoding] = "gzip"
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: tile.gzippedBuffer))
            }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: tile.bodyBuffer))
        }
        // /tiles/{layers}.json (TileJSON)
        router.get("/tiles/:layers") { request, context -> Response in
            let file = context.parameters.get("layers") ?? ""
            guard file.hasSuffix(".json"), file.count > 5 else { throw Problem(.notFound, "no route GET \(request.uri.path)") }
            let list = String(file.dropLast(5))
            let snapshot = self.snapshot
            let names = try tiles.resolve(list, in: snapshot)
            let url = "\(baseURL(request))/tiles/\(list)/{z}/{x}/{y}.mvt"
            return Self.json(JSONWriter.string(tiles.tileJSON(names, snapshot: snapshot, tileURL: url)))
        }
        router.delete("/tiles/cache") { request, context -> JSONResponse in
            try authorizeWrite(request, context)
            let r = tiles.cache.purge()
            return JSONResponse(text: "{\"purged_tiles\":\(r.tiles),\"purged_bytes\":\(r.bytes)}")
        }
        router.get("/catalog") { request, _ -> Response in
            let snapshot = self.snapshot
            let base = baseURL(request)
            var sources = JSONObject()
            for name in snapshot.layers.keys.sorted() {
                let l = snapshot.layers[name]!
                let c = tiles.config(for: l)
                sources[name] = .object(JSONObject([
                    ("content_type", .string("application/x-protobuf")),
                    ("kind", .string("live")),
                    ("role", .string(l.info.role.rawValue)),
                    ("description", .string("\(l.info.role.rawValue) layer, \(l.count) features")),
                    ("minzoom", .number(Double(c.minzoom))), ("maxzoom", .number(Double(c.maxzoom))),
                    ("tilejson", .string("\(base)/tiles/\(name).json")),
                ]))
            }
            for (name, a) in tiles.archives.sorted(by: { $0.key < $1.key }) where snapshot.layers[name] == nil {
                let i = a.info
                sources[name] = .object(JSONObject([
                    ("content_type", .string("application/x-protobuf")),
                    ("kind", .string(i.format)),
                    ("description", .string("prebuilt \(i.format) tileset")),
                    ("minzoom", .number(Double(i.minzoom))), ("maxzoom", .number(Double(i.maxzoom))),
                    ("tilejson", .string("\(base)/tiles/\(name).json")),
                ]))
            }
            var styles = JSONObject()
            for s in availableStyles() { styles[s] = .object(JSONObject([("url", .string("\(base)/styles/\(s).json"))])) }
            return Self.json(JSONWriter.string(.object(JSONObject([("tiles", .object(sources)), ("styles", .object(styles))]))))
        }
    }

    static let truncatedHeader = HTTPField.Name("X-Tile-Truncated")!

    /// Headers every tile answer carries, built once.
    static let tileHeaders: HTTPFields = {
        var h = HTTPFields()
        h[.contentType] = "application/vnd.mapbox-vector-tile"
        h[.accessControlAllowOrigin] = "*"
        h[.vary] = "Accept-Encoding"
        h[.cacheControl] = "public, max-age=60"
        return h
    }()

    static func tileNumber(_ text: String?, _ name: String, max: Int, zoom: Int? = nil) throws -> Int {
        guard let text, let v = Int(text), String(v) == text else {
            throw Problem.badParameter(name, "\"\(String((text ?? "").prefix(32)))\" is not a whole number")
        }
        guard v >= 0, v <= max else {
            throw Problem.badParameter(name, zoom.map { "\(v) is outside 0...\(max) at zoom \($0)" } ?? "\(v) is outside 0...\(max)")
        }
        return v
    }

    static func acceptsGzip(_ request: Request) -> Bool { acceptsGzip(request.headers[.acceptEncoding]) }

    static func acceptsGzip(_ header: String?) -> Bool {
        guard let ae = header else { return false }
        for part in ae.split(separator: ",") {
            let p = part.split(separator: ";")
            guard p.first?.trimmingCharacters(in: .whitespaces).lowercased() == "gzip" else { continue }
            if p.count > 1, p[1].trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "") == "q=0" { return false }
            return true
        }
        return false
    }

    static func json(_ text: String, contentType: String = "application/json; charset=utf-8") -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.accessControlAllowOrigin] = "*"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
