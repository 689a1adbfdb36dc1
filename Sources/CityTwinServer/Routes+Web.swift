import CityOps
import Foundation
import Geo
import Hummingbird

extension RouteEnvironment {
    /// Style names available in the styles folder (file stems of *.json).
    func availableStyles() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: config.stylesFolder)) ?? []
        let names = files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.filter(Self.isSafeName).sorted()
        // dispatch first: it is the default style of the web map.
        return names.sorted { ($0 == "dispatch" ? 0 : 1, $0) < ($1 == "dispatch" ? 0 : 1, $1) }
    }

    static func isSafeName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 64 && s.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "-" || $0 == "_" || $0 == "." } && !s.hasPrefix(".")
    }

    func addWebRoutes(to router: Router<CityTwinRequestContext>) {
        router.get("/styles/:file") { request, context -> Response in
            let file = context.parameters.get("file") ?? ""
            guard file.hasSuffix(".json") else { throw Problem(.notFound, "no route GET \(request.uri.path)") }
            let name = String(file.dropLast(5))
            guard Self.isSafeName(name), let data = FileManager.default.contents(atPath: "\(config.stylesFolder)/\(name).json") else {
                throw Problem(.notFound, "unknown style \"\(name.prefix(64))\"", title: "Unknown style")
            }
            let style: JSONValue
            do { style = try JSONParser.parse([UInt8](data)) } catch {
                throw Problem(.internalServerError, "style \(name) is not valid JSON")
            }
            let snapshot = self.snapshot
            var rewritten = rewrite(style, base: baseURL(request), snapshot: snapshot)
            // Style layers drawing a layer that is not loaded (e.g. no events yet) are left out:
            // MapLibre reports them as errors otherwise.
            if case .object(var o) = rewritten, let layers = o["layers"]?.arrayValue {
                o["layers"] = .array(layers.filter { l in
                    guard let sl = l["source-layer"]?.stringValue else { return true }
                    return tiles.hasSource(sl, in: snapshot)
                })
                rewritten = .object(o)
            }
            return Self.json(JSONWriter.string(rewritten))
        }
        router.get("/") { request, _ -> Response in
            let js: String, css: String
            if config.maplibreFolder != nil {
                js = "/maplibre/maplibre-gl.js"; css = "/maplibre/maplibre-gl.css"
            } else {
                js = "\(config.maplibreURL)/maplibre-gl.js"; css = "\(config.maplibreURL)/maplibre-gl.css"
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            let html = WebMapPage.html(maplibreJS: js, maplibreCSS: css, styles: availableStyles())
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
        }
        router.get("/maplibre/:file") { request, context -> Response in
            let file = context.parameters.get("file") ?? ""
            guard let folder = config.maplibreFolder, Self.isSafeName(file),
                  let data = FileManager.default.contents(atPath: "\(folder)/\(file)") else {
                throw Problem(.notFound, "no route GET \(request.uri.path)")
            }
            var headers = HTTPFields()
            headers[.contentType] = file.hasSuffix(".js") ? "text/javascript; charset=utf-8" : file.hasSuffix(".css") ? "text/css; charset=utf-8" : "application/octet-stream"
            headers[.cacheControl] = "public, max-age=3600"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    /// Points `citytwin://` URLs at this server; tile-source lists keep only
    /// layers that exist, so a style naming a layer not loaded yet still loads.
    func rewrite(_ v: JSONValue, base: String, snapshot: CitySnapshot) -> JSONValue {
        switch v {
        case .string(let s) where s.hasPrefix("citytwin://"):
            var rest = String(s.dropFirst("citytwin://".count))
            if rest.hasPrefix("tiles/"), rest.hasSuffix(".json") {
                let list = rest.dropFirst(6).dropLast(5).split(separator: ",").map(String.init)
                let kept = list.filter { tiles.hasSource($0, in: snapshot) }
                rest = "tiles/" + (kept.isEmpty ? list : kept).joined(separator: ",") + ".json"
            }
            return .string("\(base)/\(rest)")
        case .array(let a): return .array(a.map { rewrite($0, base: base, snapshot: snapshot) })
        case .object(let o): return .object(JSONObject(o.members.map { ($0.key, rewrite($0.value, base: base, snapshot: snapshot)) }))
        default: return v
        }
    }
}
