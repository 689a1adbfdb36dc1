import CityOps
import CityTwinServer
import Foundation
import Geo
import GeometryOps
import Hummingbird
import HummingbirdTesting
import SpatialIndex
import Testing

@Suite(.serialized) struct QueryRouteTests {
    let snapshot = SampleFixture.state.snapshot

    @Test func healthAndLayers() async throws {
        try await SampleFixture.app().test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { r in
                let v = try SampleFixture.json(r)
                #expect(v["status"] == .string("ok") && v["layers"] == .number(15))  // 14 sample layers + events
            }
            try await client.execute(uri: "/v1/layers", method: .get) { r in
                let v = try #require(try SampleFixture.json(r).arrayValue)
                #expect(v.count == 15)
                #expect(v.first { $0["name"] == .string("events") }?["role"] == .string("event"))
                #expect(v.first { $0["name"] == .string("bikes") }?["count"] == .number(59970))
            }
        }
    }

    @Test func locateReturnsAConsistentHierarchyAndHonoursCRS() async throws {
        let p = Coordinate(104.10, 30.67)
        try await SampleFixture.app().test(.router) { client in
            var gridCode: JSONValue?
            try await client.execute(uri: "/v1/locate?lon=\(p.x)&lat=\(p.y)", method: .get) { r in
                #expect(r.status == .ok)
                let v = try SampleFixture.json(r)
                gridCode = v["grid"]?["code"]
                #expect(v["grid"]?["parent_code"] == v["community"]?["code"])
                #expect(v["community"]?["parent_code"] == v["street"]?["code"])
                #expect(v["street"]?["parent_code"] == v["district"]?["code"])
                #expect(v["district"]?["name"] == .string("锦华区"))
            }
            let g = ChinaCRS.wgs84ToGCJ02(p)
            try await client.execute(uri: "/v1/locate?lon=\(g.x)&lat=\(g.y)&crs=gcj02", method: .get) { r in
                let json = try SampleFixture.json(r)
                #expect(json["grid"]?["code"] == gridCode)
            }
            try await client.execute(uri: "/v1/locate?lon=10&lat=10", method: .get) { r in
                let v = try SampleFixture.json(r)
                #expect(v["grid"] == .null && v["district"] == .null)
            }
        }
    }

    /// Every handler's own point is located in the grid it is assigned to.
    @Test func locateAgreesWithHandlerGridCodes() throws {
        let handlers = try #require(snapshot.layer(role: .handler))
        for i in 0..<handlers.count {
            guard case .point(let c) = handlers.geometry.geometry(i) else { continue }
            let grid = try #require(snapshot.locate(lon: c.x, lat: c.y)[.grid])
            #expect(grid.0.properties.object(grid.1)["code"] == handlers.properties.object(i)["grid_code"])
        }
    }

    @Test func nearestWithFilterMatchesBruteForce() async throws {
        let handlers = try #require(snapshot.layer(role: .handler))
        let q = Coordinate(104.11, 30.66)
        var want: [(Int64, Double)] = []
        for i in 0..<handlers.count where handlers.properties.object(i)["type"] == .string("police") {
            guard case .point(let c) = handlers.geometry.geometry(i) else { continue }
            want.append((handlers.featureIDs[i], SphericalBounds.metres(SphericalBounds.haversine(q.x, q.y, c.x, c.y))))
        }
        want.sort { $0.1 < $1.1 }
        let expected = want
        try await SampleFixture.app().test(.router) { client in
            try await client.execute(uri: "/v1/nearest?layer=handlers&lon=\(q.x)&lat=\(q.y)&k=7&where=type:police", method: .get) { r in
                #expect(r.status == .ok)
                let results = try #require(try SampleFixture.json(r)["results"]?.arrayValue)
                #expect(results.map { $0["id"] } == expected.prefix(7).map { .number(Double($0.0)) })
                #expect(results.allSatisfy { $0["properties"]?["type"] == .string("police") })
                #expect(abs((results.first?["distance_m"]?.doubleValue ?? 0) - expected[0].1) < 0.01)
            }
            try await client.execute(uri: "/v1/nearest?layer=handlers&lon=\(q.x)&lat=\(q.y)&k=5&max_distance=1", method: .get) { r in
                let json = try SampleFixture.json(r)
                #expect(json["results"]?.arrayValue?.isEmpty == true)
            }
            // Lines and polygons too: the nearest pipe is at most as far as its nearest vertex.
            try await client.execute(uri: "/v1/nearest?layer=pipes&lon=\(q.x)&lat=\(q.y)&k=1&where=network:water", method: .get) { r in
                let hit = try #require(try SampleFixture.json(r)["results"]?.arrayValue?.first)
                #expect(hit["properties"]?["network"] == .string("water"))
                #expect((hit["distance_m"]?.doubleValue ?? 1e9) < 400)
            }
        }
    }

    @Test func withinAndBatchMatchBruteForce() async throws {
        let bikes = try #require(snapshot.layer(role: .bike))
        let stations = try #require(snapshot.layer(role: .bikeStation))
        let centers = snapshot.centers(of: stations).prefix(20)
        func brute(_ c: Coordinate, _ r: Double) -> Int {
            let h = SphericalBounds.h(metres: r)
            var n = 0
            for i in 0..<bikes.count { if case .point(let b) = bikes.geometry.geometry(i), SphericalBounds.haversine(c.x, c.y, b.x, b.y) <= h { n += 1 } }
            return n
        }
        let want = centers.map { brute($0, 100) }
        try await SampleFixture.app().test(.router) { client in
            let c = centers.first!
            try await client.execute(uri: "/v1/within?layer=bikes&lon=\(c.x)&lat=\(c.y)&radius=100&limit=3", method: .get) { r in
                let v = try SampleFixture.json(r)
                #expect(v["count"] == .number(Double(want[0])))
                let d = try #require(v["results"]?.arrayValue).compactMap { $0["distance_m"]?.doubleValue }
                #expect(d.count == min(3, want[0]) && d == d.sorted() && d.allSatisfy { $0 <= 100 })
            }
            let body = "{\"layer\":\"bikes\",\"radius\":100,\"centers\":[" + centers.map { "[\($0.x),\($0.y)]" }.joined(separator: ",") + "]}"
            try await client.execute(uri: "/v1/within/batch", method: .post, body: ByteBuffer(string: body)) { r in
                let json = try SampleFixture.json(r)
                #expect(json["counts"] == .array(want.map { .number(Double($0)) }))
            }
            try await client.execute(uri: "/v1/within/batch", method: .post,
                                     body: ByteBuffer(string: #"{"layer":"bikes","radius":100,"centers_layer":"bike_stations"}"#)) { r in
                let counts = try #require(try SampleFixture.json(r)["counts"]?.arrayValue)
                #expect(counts.count == stations.count)
                #expect(Array(counts.prefix(20)) == want.map { .number(Double($0)) })
            }
        }
    }

    @Test func bikeBalanceCoversEveryStation() async throws {
        try await SampleFixture.app().test(.router) { client in
            try await client.execute(uri: "/v1/bikes/balance?radius=100", method: .get) { r in
                let v = try SampleFixture.json(r)
                let stations = try #require(v["stations"]?.arrayValue)
                #expect(stations.count == 6120)
                for s in stations.prefix(500) {
                    let c = s["count"]!.doubleValue!, cap = s["capacity"]!.doubleValue!
                    let want = c < 0.35 * cap ? "deficit" : (c > 1.2 * cap ? "surplus" : "ok")
                    #expect(s["status"] == .string(want))
                }
                let summary = try #require(v["summary"])
                // 100 m circles around points ~130 m apart overlap, so surplus dominates; all three occur.
                #expect(summary["deficit"]!.doubleValue! > 0 && summary["surplus"]!.doubleValue! > 0 && summary["ok"]!.doubleValue! > 0)
                #expect(summary["deficit"]!.doubleValue! + summary["surplus"]!.doubleValue! + summary["ok"]!.doubleValue! == 6120)
            }
        }
    }

    @Test func buildingAtAndFeaturePaging() async throws {
        let buildings = try #require(snapshot.layer(role: .building))
        let b = buildings.geometry.geometry(10).boundingBox
        let centre = Coordinate((b.minX + b.maxX) / 2, (b.minY + b.maxY) / 2)
        try await SampleFixture.app().test(.router) { client in
            try await client.execute(uri: "/v1/buildings/at?lon=\(centre.x)&lat=\(centre.y)", method: .get) { r in
                #expect(r.status == .ok)
                let v = try SampleFixture.json(r)
                #expect(v["id"] == .number(Double(buildings.featureIDs[10])))
                #expect(v["properties"]?["address"] != nil)
            }
            try await client.execute(uri: "/v1/buildings/at?lon=104.0&lat=29.0", method: .get) { r in
                #expect(r.status == .notFound)
                #expect(r.headers[.contentType] == "application/problem+json")
            }
            var next: String?
            try await client.execute(uri: "/v1/layers/grids/features?bbox=104.09,30.66,104.11,30.68&limit=5", method: .get) { r in
                let v = try SampleFixture.json(r)
                #expect(v["type"] == .string("FeatureCollection") && v["numberReturned"] == .number(5))
                #expect((v["numberMatched"]?.doubleValue ?? 0) > 5)
                next = v["next"]?.stringValue
            }
            let n = try #require(next)
            try await client.execute(uri: n, method: .get) { r in
                let json = try SampleFixture.json(r)
                #expect(json["features"]?.arrayValue?.count ?? 0 > 0)
            }
            try await client.execute(uri: "/v1/layers/grids/features/7", method: .get) { r in
                let v = try SampleFixture.json(r)
                #expect(v["id"] == .number(7) && v["geometry"]?["type"] == .string("MultiPolygon"))
            }
            try await client.execute(uri: "/v1/layers/grids/features/999999", method: .get) { r in #expect(r.status == .notFound) }
        }
    }

    @Test func metricsAndOpenAPI() async throws {
        try await SampleFixture.app().test(.router) { client in
            _ = try await client.execute(uri: "/v1/locate?lon=104.1&lat=30.67", method: .get)
            try await client.execute(uri: "/metrics", method: .get) { r in
                let text = String(buffer: r.body)
                #expect(text.contains("hb_requests") && text.contains("/v1/locate"))
                #expect(text.contains("http_server_request_duration"))
            }
            try await client.execute(uri: "/openapi.json", method: .get) { r in
                let v = try SampleFixture.json(r)
                #expect(v["openapi"] == .string("3.1.0"))
                let paths = try #require(v["paths"]?.objectValue?.keys)
                for route in ["/health", "/metrics", "/v1/layers", "/v1/layers/{layer}/features", "/v1/layers/{layer}/features/{id}",
                              "/v1/locate", "/v1/nearest", "/v1/within", "/v1/within/batch", "/v1/bikes/balance", "/v1/flood/points",
                              "/v1/sensors/readings", "/v1/buildings/at",
                              "/v1/bikes/positions", "/v1/bikes/fences", "/gbfs/{file}"] {
                    #expect(paths.contains(route), "\(route) missing from OpenAPI")
                }
            }
        }
    }
}
