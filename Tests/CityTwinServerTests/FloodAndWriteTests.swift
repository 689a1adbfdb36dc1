import CityOps
import CityTwinServer
import Foundation
import Geo
import Hummingbird
import HummingbirdTesting
import Testing

@Suite(.serialized) struct FloodAndWriteTests {
    static let auth: HTTPFields = [.authorization: "Bearer \(SampleFixture.token)"]

    @Test func readingsNeedAToken() async throws {
        let body = ByteBuffer(string: #"[{"sensor_id":"WL-001","level_cm":5,"observed_at":"2024-06-01T08:00:00+08:00"}]"#)
        try await SampleFixture.app().test(.router) { client in
            try await client.execute(uri: "/v1/sensors/readings", method: .post, body: body) { r in #expect(r.status == .unauthorized) }
            try await client.execute(uri: "/v1/sensors/readings", method: .post, headers: [.authorization: "Bearer wrong"], body: body) { r in
                #expect(r.status == .forbidden)
            }
        }
        // With no token configured, only loopback clients may write; the test client has no loopback address.
        var open = SampleFixture.config
        open.tokens = []
        try await SampleFixture.app(open).test(.router) { client in
            try await client.execute(uri: "/v1/sensors/readings", method: .post, body: body) { r in #expect(r.status == .forbidden) }
        }
    }

    @Test func readingsDriveFloodStatusRiskiestFirst() async throws {
        let readings = #"""
        [{"sensor_id":"WL-001","level_cm":40,"observed_at":"2024-06-01T09:00:00+08:00"},
         {"sensor_id":"WL-001","level_cm":2,"observed_at":"2024-06-01T07:00:00+08:00"},
         {"sensor_id":"WL-005","level_cm":15,"observed_at":"2024-06-01T09:00:00Z"},
         {"sensor_id":"WL-010","level_cm":1,"observed_at":"2024-06-01T09:00:00Z"},
         {"sensor_id":"WL-999","level_cm":1,"observed_at":"2024-06-01T09:00:00Z"}]
        """#
        try await SampleFixture.app().test(.router) { client in
            try await client.execute(uri: "/v1/sensors/readings", method: .post, headers: Self.auth, body: ByteBuffer(string: readings)) { r in
                #expect(r.status == .created)
                let v = try SampleFixture.json(r)
                #expect(v["stored"] == .number(5) && v["unknown_sensors"] == .array([.string("WL-999")]))
            }
            try await client.execute(uri: "/v1/flood/points?bbox=103,29,105,32", method: .get) { r in
                let results = try #require(try SampleFixture.json(r)["results"]?.arrayValue)
                #expect(results.count == 18)
                let first = results[0]
                // WL-001 is an underpass (threshold 30): its latest reading (40) floods it, the older 2 cm does not count.
                #expect(first["properties"]?["sensor_id"] == .string("WL-001") && first["status"] == .string("flooded") && first["level_cm"] == .number(40))
                let wl5 = results.first { $0["properties"]?["sensor_id"] == .string("WL-005") }
                #expect(wl5?["status"] == .string("warning"), "15 cm of a 20 cm threshold")
                #expect(results.first { $0["properties"]?["sensor_id"] == .string("WL-010") }?["status"] == .string("normal"))
                #expect(results.last?["level_cm"] == .null)
            }
            // A route passing the first underpass, with a 30 m buffer, finds exactly that point.
            let (l, pts) = try SampleFixture.state.snapshot.floodPoints(bbox: nil, route: nil, buffer: 0, warningRatio: 0.7)
            let p1 = try #require(pts.first { l.properties.object($0.position)["sensor_id"] == .string("WL-001") })
            guard case .point(let c) = l.geometry.geometry(p1.position) else { Issue.record("not a point"); return }
            let route = "\(c.x - 0.01),\(c.y + 0.0001);\(c.x + 0.01),\(c.y + 0.0001)"
            try await client.execute(uri: "/v1/flood/points?route=\(route)&buffer=30", method: .get) { r in
                let results = try #require(try SampleFixture.json(r)["results"]?.arrayValue)
                #expect(results.map { $0["properties"]?["sensor_id"] } == [.string("WL-001")])
            }
        }
    }
}
