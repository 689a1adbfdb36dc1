import CityOps
import Foundation
import Geo
import Hummingbird
import Prometheus

extension RouteEnvironment {
    func addSystemRoutes(to router: Router<CityTwinRequestContext>) {
        // Liveness (always 200 once serving) and readiness: `ready` is false, and `warming`
        // names what is still being built, until the first geocoder and the first snapshot's
        // tile property tables exist (a load balancer or a benchmark waits for it; requests are
        // answered meanwhile, geocoding ones wait for the first geocoder). A latch: rebuilds
        // after an import do not take a server out of rotation.
        router.get("/health") { _, _ -> JSONResponse in
            let s = snapshot
            var warming: [String] = []
            if geocoding.buildCount == 0 { warming.append("\"geocoder\"") }
            if !tiles.hasPreparedOnce { warming.append("\"tile_properties\"") }
            return JSONResponse(text: "{\"status\":\"ok\",\"snapshot_version\":\(s.version),\"layers\":\(s.layers.count),"
                                + "\"ready\":\(warming.isEmpty),\"warming\":[\(warming.joined(separator: ","))]}")
        }
        router.get("/metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: CityTwinServer.registry.emitToBuffer())))
        }
        router.get("/openapi.json") { _, _ -> JSONResponse in
            JSONResponse(text: OpenAPIDocument.text)
        }
    }
}
