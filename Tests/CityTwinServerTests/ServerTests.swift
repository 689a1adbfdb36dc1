import CityTwinServer
import Foundation
import Geo
import Hummingbird
import HummingbirdTesting
import Storage
import Testing
import TestSupport

@Suite struct ServerTests {
    func store() throws -> SpatiaLiteStore {
        let s = try SpatiaLiteStore(path: TestSupport.scratch() + "/s.sqlite")
        _ = try s.importLayer(LayerSpec(name: "bikes", role: .bike), mode: .replace) { w in
            try w.insert(extID: "B1", properties: JSONObject(), geometry: .point(Coordinate(104.1, 30.6)))
            try w.insert(extID: "B2", properties: JSONObject(), geometry: .point(Coordinate(104.2, 30.7)))
        }
        return s
    }

    @Test func healthReportsVersionAndLayerCount() async throws {
        let app = Application(router: CityTwinApp.router(store: try store()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { r in
                #expect(r.status == .ok)
                let v = try JSONParser.parse(String(buffer: r.body))
                #expect(v["status"] == .string("ok") && v["layers"] == .number(1) && v["snapshot_version"] == .number(1))
            }
        }
    }

    @Test func layersListsTheCatalog() async throws {
        let app = Application(router: CityTwinApp.router(store: try store()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/layers", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType]?.hasPrefix("application/json") == true)
                let v = try JSONParser.parse(String(buffer: r.body))
                let l = try #require(v.arrayValue?.first)
                #expect(l["name"] == .string("bikes") && l["role"] == .string("bike") && l["count"] == .number(2))
                #expect(l["geometry_type"] == .string("Point"))
                #expect(l["bbox"] == .array([.number(104.1), .number(30.6), .number(104.2), .number(30.7)]))
                #expect(l["minzoom"] != nil && l["maxzoom"] != nil && l["version"] == .number(1))
            }
        }
    }

    @Test func unknownRouteIs404() async throws {
        let app = Application(router: CityTwinApp.router(store: try store()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/nope", method: .get) { r in
                #expect(r.status == .notFound)
            }
        }
    }
}
