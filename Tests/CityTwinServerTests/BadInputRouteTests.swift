import CityTwinServer
import Foundation
import Geo
import Hummingbird
import HummingbirdTesting
import Testing

/// Each kind of bad input answers 4xx problem+json naming the parameter.
@Suite struct BadInputRouteTests {
    static let cases: [(String, Int, String)] = [
        ("/v1/locate?lat=30.6", 400, "\"lon\""),
        ("/v1/locate?lon=abc&lat=30.6", 400, "\"lon\""),
        ("/v1/locate?lon=NaN&lat=30.6", 400, "\"lon\""),
        ("/v1/locate?lon=104&lat=inf", 400, "\"lat\""),
        ("/v1/locate?lon=200&lat=30.6", 400, "\"lon\": must be between"),
        ("/v1/locate?lon=104&lat=30.6&crs=utm", 400, "\"crs\""),
        ("/v1/nearest?lon=104&lat=30.6", 400, "\"layer\""),
        ("/v1/nearest?layer=nope&lon=104&lat=30.6", 404, "unknown layer"),
        ("/v1/nearest?layer=bikes&lon=104&lat=30.6&k=0", 400, "\"k\""),
        ("/v1/nearest?layer=bikes&lon=104&lat=30.6&k=100000", 400, "\"k\""),
        ("/v1/nearest?layer=bikes&lon=104&lat=30.6&k=2.5", 400, "\"k\""),
        ("/v1/nearest?layer=bikes&lon=104&lat=30.6&max_distance=-1", 400, "\"max_distance\""),
        ("/v1/nearest?layer=handlers&lon=104&lat=30.6&where=colour:red", 400, "\"where\": layer handlers has no property"),
        ("/v1/nearest?layer=handlers&lon=104&lat=30.6&where=type", 400, "\"where\""),
        ("/v1/within?layer=bikes&lon=104&lat=30.6", 400, "\"radius\""),
        ("/v1/within?layer=bikes&lon=104&lat=30.6&radius=-5", 400, "\"radius\""),
        ("/v1/within?layer=bikes&lon=104&lat=30.6&radius=1e9", 400, "\"radius\""),
        ("/v1/bikes/balance?radius=0", 400, "\"radius\""),
        ("/v1/flood/points?bbox=1,2,3", 400, "\"bbox\""),
        ("/v1/flood/points?bbox=105,30,104,31", 400, "\"bbox\""),
        ("/v1/flood/points?route=104,30;abc", 400, "\"route\""),
        ("/v1/layers/nope/features", 404, "unknown layer"),
        ("/v1/layers/grids/features?limit=0", 400, "\"limit\""),
        ("/v1/layers/grids/features?offset=-1", 400, "\"offset\""),
        ("/v1/layers/grids/features/abc", 400, "\"id\""),
        ("/v1/buildings/at?lon=104", 400, "\"lat\""),
        ("/v1/nothing-here", 404, "no route GET /v1/nothing-here"),
    ]

    @Test(arguments: 0..<cases.count) func getAnswers4xxProblem(_ k: Int) async throws {
        let (uri, status, text) = Self.cases[k]
        try await SampleFixture.app().test(.router) { client in
            try await client.execute(uri: uri, method: .get) { r in
                #expect(Int(r.status.code) == status, "\(uri)")
                #expect(r.headers[.contentType] == "application/problem+json", "\(uri)")
                let v = try SampleFixture.json(r)
                #expect(v["status"] == .number(Double(status)))
                #expect(v["detail"]?.stringValue?.contains(text) == true, "\(uri): \(v["detail"] ?? .null)")
                #expect(v["detail"]?.stringValue?.contains("SELECT") == false)
            }
        }
    }

    static let bodies: [(String, String, Int, String)] = [
        ("/v1/within/batch", "{not json", 400, "not valid JSON"),
        ("/v1/within/batch", "[1,2]", 400, "JSON object"),
        ("/v1/within/batch", #"{"radius":100,"centers":[[104,30]]}"#, 400, "\"layer\""),
        ("/v1/within/batch", #"{"layer":"bikes","radius":"far","centers":[[104,30]]}"#, 400, "\"radius\""),
        ("/v1/within/batch", #"{"layer":"bikes","radius":100,"centers":[[104,300]]}"#, 400, "\"centers[0]\""),
        ("/v1/within/batch", #"{"layer":"bikes","radius":100}"#, 400, "\"centers\""),
        ("/v1/within/batch", #"{"layer":"bikes","radius":100,"centers_layer":"bikes"}"#, 413, "limit is 10000"),
        ("/v1/sensors/readings", #"[{"sensor_id":"WL-001","level_cm":"high","observed_at":"2024-06-01T09:00:00Z"}]"#, 400, "level_cm"),
        ("/v1/sensors/readings", #"[{"sensor_id":"WL-001","level_cm":3,"observed_at":"yesterday"}]"#, 400, "observed_at"),
        ("/v1/sensors/readings", "[]", 400, "no readings"),
    ]

    @Test(arguments: 0..<bodies.count) func postAnswers4xxProblem(_ k: Int) async throws {
        let (uri, body, status, text) = Self.bodies[k]
        try await SampleFixture.app().test(.router) { client in
            try await client.execute(uri: uri, method: .post, headers: [.authorization: "Bearer \(SampleFixture.token)"], body: ByteBuffer(string: body)) { r in
                #expect(Int(r.status.code) == status, "\(body)")
                let v = try SampleFixture.json(r)
                #expect(v["detail"]?.stringValue?.contains(text) == true, "\(body): \(v["detail"] ?? .null)")
            }
        }
    }

    @Test func overLimitBatchAndBody() async throws {
        let centers = (0..<10_001).map { _ in "[104.1,30.6]" }.joined(separator: ",")
        var small = SampleFixture.config
        small.limits.maxBodyBytes = 1000
        try await SampleFixture.app().test(.router) { client in
            try await client.execute(uri: "/v1/within/batch", method: .post,
                                     body: ByteBuffer(string: #"{"layer":"bikes","radius":100,"centers":[\#(centers)]}"#)) { r in
                #expect(r.status == .contentTooLarge)
            }
        }
        try await SampleFixture.app(small).test(.router) { client in
            try await client.execute(uri: "/v1/within/batch", method: .post,
                                     body: ByteBuffer(string: #"{"layer":"bikes","radius":100,"centers":[\#(centers)]}"#)) { r in
                #expect(r.status == .contentTooLarge)
                let json = try SampleFixture.json(r)
                #expect(json["detail"]?.stringValue?.contains("exceeds 1000 bytes") == true)
            }
        }
    }

    @Test func configReportsUnknownKeysAndRejectsBadValues() throws {
        let (c, warnings) = try ServerConfig.parse(yaml: """
            port: 9090
            tokens: [abc]
            limits: {max_k: 50, max_radius_m: 1000, colour: blue}
            bikes: {deficit_below: 0.5}
            frobnicate: true
            """)
        #expect(c.port == 9090 && c.tokens == ["abc"] && c.limits.maxK == 50 && c.limits.maxRadius == 1000 && c.bikeDeficitBelow == 0.5)
        #expect(warnings == ["unknown config key frobnicate", "unknown config key limits.colour"])
        #expect(throws: ServerConfig.ConfigError.self) { try ServerConfig.parse(yaml: "port: 0") }
        #expect(throws: ServerConfig.ConfigError.self) { try ServerConfig.parse(yaml: "limits: {max_k: -1}") }
        #expect(throws: ServerConfig.ConfigError.self) { try ServerConfig.parse(yaml: "- a\n- b") }
    }

    @Test func configuredLimitsApply() async throws {
        var c = SampleFixture.config
        c.limits.maxK = 3
        try await SampleFixture.app(c).test(.router) { client in
            try await client.execute(uri: "/v1/nearest?layer=bikes&lon=104.1&lat=30.67&k=4", method: .get) { r in
                #expect(r.status == .badRequest)
            }
        }
    }
}
