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
            let found: CachedTile?
            if let hit = tiles.cached(layers, id, snapshot: snapshot) {
                found = hit
            } else {
                found = try tiles.tile(tiles.source(layers, in: snapshot), id, snapshot: snapshot, cacheAs: layers)
            }
            let a = TileAnswer.make(found, ifNoneMatch: request.headers[.ifNoneMatch], ifModifiedSince: request.headers[.ifModifiedSince],
                                    acceptEncoding: request.headers[.acceptEncoding])
            return Response(status: a.status, headers: a.headers, body: a.body.map { .init(byteBuffer: $0) } ?? .init())
        }
        // /tiles/{layers}.json (TileJSON)
        router.get("/tiles/:layers") { request, context -> Response in
            let file = context.parameters.get("layers") ?? ""
            guard file.hasSuffix(".json"), file.count > 5 else { throw Problem(.notFound, "no route GET \(request.uri.path)") }
            let list = String(file.dropLast(5))
            let snapshot = self.snapshot
            let source = try tiles.source(list, in: snapshot)
            let url = "\(baseURL(request))/tiles/\(list)/{z}/{x}/{y}.mvt"
            return Self.json(JSONWriter.string(source.tileJSON(tileURL: url)))
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
            for source in tiles.sources(in: snapshot) {
                let e = source.entry
                var o = JSONObject([("content_type", .string("application/x-protobuf")), ("kind", .string(e.kind))])
                if let role = e.role { o["role"] = .string(role) }
                o["description"] = .string(e.description)
                o["minzoom"] = .number(Double(e.minzoom)); o["maxzoom"] = .number(Double(e.maxzoom))
                o["tilejson"] = .string("\(base)/tiles/\(e.id).json")
                sources[e.id] = .object(o)
            }
            var styles = JSONObject()
            for s in availableStyles() { styles[s] = .object(JSONObject([("url", .string("\(base)/styles/\(s).json"))])) }
            // Fonts as /fonts.json lists them: the names a style's text-font may use.
            let fontList = JSONValue.array(fonts.fonts.map { Self.fontEntry($0) })
            // Sprites with their icon names: the values a style's icon-image may use.
            let spriteList = JSONValue.array(sprites.sprites.map { Self.spriteEntry($0, base: base) })
            return Self.json(JSONWriter.string(.object(JSONObject([("tiles", .object(sources)), ("styles", .object(styles)),
                                                                   ("fonts", fontList), ("sprites", spriteList)]))))
        }
    }

    static func tileNumber(_ text: String?, _ name: String, max: Int, zoom: Int? = nil) throws -> Int {
        guard let text, let v = Int(text), String(v) == text else {
            throw Problem.badParameter(name, "\"\(String((text ?? "").prefix(32)))\" is not a whole number")
        }
        guard v >= 0, v <= max else {
            throw Problem.badParameter(name, zoom.map { "\(v) is outside 0...\(max) at zoom \($0)" } ?? "\(v) is outside 0...\(max)")
        }
        return v
    }

    static func json(_ text: String, contentType: String = "application/json; charset=utf-8") -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.accessControlAllowOrigin] = "*"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
