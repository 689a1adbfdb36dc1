import CityOps
import Foundation
import Geo
import Hummingbird
import Prometheus

extension RouteEnvironment {
    func addSystemRoutes(to router: Router<CityTwinRequestContext>) {
        router.get("/health") { _, _ -> JSONResponse in
            let s = snapshot
            return JSONResponse(text: "{\"status\":\"ok\",\"snapshot_version\":\(s.version),\"layers\":\(s.layers.count)}")
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
