import Foundation
import Geo
import Hummingbird
import Logging
import Storage

/// Server settings (from flags now; a YAML config file arrives with the query API).
public struct ServerConfig: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public init() {}
}

/// Builds the Hummingbird application over a feature store.
public enum CityTwinApp {
    public static func router(store: any FeatureStore) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ProblemMiddleware())
        router.get("/health") { _, _ -> JSONResponse in
            let version = try store.dataVersion()
            let layers = try store.layers().count
            return JSONResponse(text: "{\"status\":\"ok\",\"snapshot_version\":\(version),\"layers\":\(layers)}")
        }
        router.get("/v1/layers") { _, _ -> JSONResponse in
            JSONResponse(text: LayerCatalogJSON.encode(try store.layers()))
        }
        return router
    }

    public static func application(store: any FeatureStore, config: ServerConfig, logger: Logger) -> some ApplicationProtocol {
        Application(router: router(store: store),
                    configuration: .init(address: .hostname(config.host, port: config.port), serverName: "CityTwin"),
                    logger: logger)
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
