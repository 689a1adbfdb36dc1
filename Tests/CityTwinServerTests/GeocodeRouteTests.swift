import CityOps
import CityTwinServer
import Foundation
import Geo
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// Geocoding end to end on the sample city, one query per address form and
/// level, checked against the true coordinates of the sample's work orders.
@Suite(.serialized) struct GeocodeRouteTests {
    static let orders: [JSONValue] = {
        let data = FileManager.default.contents(atPath: TestSupport.projectRoot + "/GeoData/work_orders_12345.geojson")!
        return (try! JSONParser.parse([UInt8](data)))["features"]!.arrayValue!
    }()

    static func encode(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s }

    /// The grid owning a point, by the snapshot (independent of the geocoder).
    static func grid(_ c: Coordinate) -> String? {
        SampleFixture.state.snapshot.locate(lon: c.x, lat: c.y)[.grid].flatMap { $0.0.properties.object($0.1)["code"]?.textValue }
    }

    /// Every grid within 1 m of a point: roads run along grid boundaries, so a
    /// road's midpoint or an intersection sits on several grids' edges.
    static func gridsNear(_ c: Coordinate) -> Set<String> {
        let m = 1.0 / 111_319.49, k = cos(c.y * .pi / 180)
        return Set([(0.0, 0.0), (m / k, 0), (-m / k, 0), (0, m), (0, -m)].compactMap { grid(Coordinate(c.x + $0.0, c.y + $0.1)) })
    }

    /// Forms whose text names exactly one place (bare chain aliases such as 邮局 and
    /// duplicated POI names are ambiguous by construction and checked for level only).
    @Test(arguments: ["门址", "带行政区前缀", "中文数字", "全角数字", "限定词", "楼栋单元", "交叉口", "网格", "无号道路", "错别字", "兴趣点", "兴趣点别名"])
    func everyFormFindsTheRightLevelAndGrid(_ form: String) async throws {
        let cases = Self.orders.filter { $0["properties"]?["form"]?.stringValue == form }.prefix(6)
        #expect(!cases.isEmpty)
        try await SampleFixture.app().test(.router) { client in
            var right = 0
            for c in cases {
                let text = c["properties"]!["address"]!.stringValue!
                let level = c["properties"]!["level"]!.stringValue!
                let xy = c["geometry"]!["coordinates"]!.arrayValue!.compactMap(\.doubleValue)
                try await client.execute(uri: "/v1/geocode?q=\(Self.encode(text))&limit=1", method: .get) { r in
                    #expect(r.status == .ok)
                    let top = try SampleFixture.json(r)["results"]?.arrayValue?.first
                    #expect(top?["level"]?.stringValue == level, "\(form): \(text) → \(top?["level"] ?? .null)")
                    let confidence = top?["confidence"]?.doubleValue ?? -1
                    #expect(confidence > 0 && confidence <= 1)
                    #expect(top?["formatted"]?.stringValue?.isEmpty == false)
                    if let lon = top?["lon"]?.doubleValue, let lat = top?["lat"]?.doubleValue, let code = top?["grid"]?["code"]?.stringValue {
                        if Self.gridsNear(Coordinate(xy[0], xy[1])).contains(code) { right += 1 }
                        #expect(Self.gridsNear(Coordinate(lon, lat)).contains(code), "\(text): grid \(code) does not own \(lon),\(lat)")
                    }
                }
            }
            // Unambiguous forms: every case in the right grid. POI forms: the sample's
            // chain names repeat (龙抄手(荆翠店) twice) and aliases like 邮局 name 60 places.
            let needed = ["兴趣点", "兴趣点别名", "错别字"].contains(form) ? 0 : cases.count - 1
            #expect(right >= needed, "\(form): \(right)/\(cases.count) in the right grid")
        }
    }

    /// 社区, 街道, 区县 levels: the answer lies in the area named.
    @Test func adminLevelsLandInTheirArea() async throws {
        try await SampleFixture.app().test(.router) { client in
            for (text, level, key, name) in [("安华社区", "社区", "community", "安华社区"), ("猛追湾街道", "街道", "street", "猛追湾街道"),
                                              ("猛追湾街办", "街道", "street", "猛追湾街道"), ("锦华区", "区县", "district", "锦华区"),
                                              ("安华社区第三网格", "网格", "grid", "安华社区第3网格")] {
                try await client.execute(uri: "/v1/geocode?q=\(Self.encode(text))&limit=1", method: .get) { r in
                    let top = try SampleFixture.json(r)["results"]?.arrayValue?.first
                    #expect(top?["level"] == .string(level), "\(text)")
                    #expect(top?[key]?["name"] == .string(name), "\(text): \(top?[key] ?? .null)")
                }
            }
        }
    }

    @Test func componentsAndOutCRS() async throws {
        try await SampleFixture.app().test(.router) { client in
            var wgs = Coordinate(0, 0)
            try await client.execute(uri: "/v1/geocode?q=\(Self.encode("锦华区致强南路103号3栋2单元附近"))&limit=1", method: .get) { r in
                let top = try SampleFixture.json(r)["results"]!.arrayValue![0]
                let c = top["components"]!
                #expect(c["road"] == .string("致强南路") && c["number"] == .string("103号") && c["building"] == .string("3栋"))
                #expect(c["unit"] == .string("2单元") && c["qualifier"] == .string("附近") && c["district"] == .string("锦华区"))
                #expect(c["grid"]?.stringValue == top["grid"]?["name"]?.stringValue)
                #expect(top["match_type"] == .string("exact"))
                wgs = Coordinate(top["lon"]!.doubleValue!, top["lat"]!.doubleValue!)
                // The stored address point (addresses.csv: 致强南路,103,…,104.131494,30.64135).
                #expect(TestSupport.metres((wgs.x, wgs.y), (104.131494, 30.64135)) < 0.5)
            }
            try await client.execute(uri: "/v1/geocode?q=\(Self.encode("致强南路103号"))&limit=1&out_crs=gcj02", method: .get) { r in
                let top = try SampleFixture.json(r)["results"]!.arrayValue![0]
                let g = ChinaCRS.wgs84ToGCJ02(wgs)
                #expect(abs(top["lon"]!.doubleValue! - g.x) < 1e-6 && abs(top["lat"]!.doubleValue! - g.y) < 1e-6)
            }
        }
    }

    @Test func reverseNamesOwnerNearestAddressRoadAndPOI() async throws {
        let s = SampleFixture.state.snapshot
        let addresses = s.layers["addresses"]!
        let k = try #require((0..<addresses.count).first { addresses.properties.object($0)["full"] == .string("致强南路103号") })
        guard case .point(let a) = addresses.geometry.geometry(k) else { return }
        let p = Coordinate(a.x + 0.00005, a.y)   // ~5 m east of an address
        try await SampleFixture.app().test(.router) { client in
            try await client.execute(uri: "/v1/reverse?lon=\(p.x)&lat=\(p.y)", method: .get) { r in
                let v = try SampleFixture.json(r)
                let full = addresses.properties.object(k)["full"]!.stringValue!
                #expect(v["address"]?["full"]?.stringValue == full)
                #expect((v["address"]?["distance_m"]?.doubleValue ?? 99) < 10)
                #expect(v["grid"]?["code"]?.stringValue == Self.grid(p))
                #expect(v["road"]?["name"]?.stringValue != nil && v["district"]?["name"] == .string("锦华区"))
                #expect(v["formatted"]?.stringValue?.hasSuffix(full) == true)
                // The description names the nearest POI with a direction and distance, or the address.
                let d = v["description"]?.stringValue ?? ""
                if let poi = v["poi"]?["name"]?.stringValue { #expect(d.hasPrefix(poi) && (d.hasSuffix("米") || d.hasSuffix("附近"))) }
                else { #expect(d.contains(full)) }
            }
            // Outside the city: no grid, no address.
            try await client.execute(uri: "/v1/reverse?lon=100&lat=20", method: .get) { r in
                let v = try SampleFixture.json(r)
                #expect(v["grid"] == .null && v["address"] == .null && v["poi"] == .null)
            }
        }
        #expect(GeocodingService.direction(from: Coordinate(104, 30), to: Coordinate(104.001, 29.999)) == "东南")
        #expect(GeocodingService.direction(from: Coordinate(104, 30), to: Coordinate(104, 30.001)) == "北")
    }

    @Test func autocompleteAndBatch() async throws {
        try await SampleFixture.app().test(.router) { client in
            try await client.execute(uri: "/v1/autocomplete?q=\(Self.encode("万达"))", method: .get) { r in
                let s = try SampleFixture.json(r)["suggestions"]!.arrayValue!
                #expect(!s.isEmpty && s.count <= 10 && s.allSatisfy { $0["text"]?.stringValue?.hasPrefix("万达") == true })
            }
            try await client.execute(uri: "/v1/autocomplete?q=\(Self.encode("建设大道南段1"))&focus=104.0426,30.6258", method: .get) { r in
                let s = try SampleFixture.json(r)["suggestions"]!.arrayValue!
                #expect(s.count == 10 && s.allSatisfy { $0["text"]?.stringValue?.hasPrefix("建设大道南段1") == true })
            }
            let queries = ["建设大道南段7号", "not a place at all", "祥泰社区第11网格", "致强南路103号"]
            let body = JSONWriter.string(.object(JSONObject([("queries", .array(queries.map { .string($0) }))])))
            try await client.execute(uri: "/v1/geocode/batch", method: .post, body: ByteBuffer(string: body)) { r in
                let results = try SampleFixture.json(r)["results"]!.arrayValue!
                #expect(results.map { $0["query"]?.stringValue } == queries)
                #expect(results[1]["results"] == .array([]))
                #expect(results[2]["results"]?.arrayValue?.first?["level"] == .string("网格"))
                #expect(results[3]["results"]?.arrayValue?.first?["level"] == .string("门址"))
            }
        }
    }

    /// A large batch is answered on all cores; every answer stays at its query's position.
    @Test func largeBatchKeepsInputOrder() async throws {
        let numbers = Array(1...400)
        let body = JSONWriter.string(.object(JSONObject([("queries", .array(numbers.map { .string("致强南路\($0)号") }))])))
        try await SampleFixture.app().test(.router) { client in
            try await client.execute(uri: "/v1/geocode/batch", method: .post, body: ByteBuffer(string: body)) { r in
                let results = try SampleFixture.json(r)["results"]!.arrayValue!
                #expect(results.count == numbers.count)
                for (n, item) in zip(numbers, results) {
                    #expect(item["query"]?.stringValue == "致强南路\(n)号")
                    #expect(item["results"]?.arrayValue?.first?["components"]?["number"]?.stringValue == "\(n)号")
                }
            }
        }
    }

    @Test func badInputIsA400Or413NamingTheParameter() async throws {
        var small = SampleFixture.config
        small.limits.maxBatch = 2
        try await SampleFixture.app(small).test(.router) { client in
            for (uri, word) in [("/v1/geocode", "q"), ("/v1/geocode?q=%20", "q"), ("/v1/geocode?q=\(String(repeating: "路", count: 201))", "q"),
                                ("/v1/geocode?q=x&limit=0", "limit"), ("/v1/geocode?q=x&focus=1", "focus"), ("/v1/geocode?q=x&out_crs=utm", "out_crs"),
                                ("/v1/reverse?lon=200&lat=0", "lon"), ("/v1/reverse?lat=1", "lon"), ("/v1/autocomplete?q=", "q"),
                                ("/v1/autocomplete?q=a&limit=11", "limit")] {
                try await client.execute(uri: uri, method: .get) { r in
                    #expect(r.status == .badRequest, "\(uri)")
                    #expect(String(buffer: r.body).contains("\"\(word)"), "\(uri): \(String(buffer: r.body))")
                }
            }
            for (body, status) in [("{\"queries\":[\"a\",\"b\",\"c\"]}", HTTPResponse.Status.contentTooLarge), ("{\"queries\":\"a\"}", .badRequest),
                                   ("[1]", .badRequest), ("{\"queries\":[1]}", .badRequest), ("{\"queries\":[\"a\"],\"limit\":0}", .badRequest),
                                   ("{\"queries\":[\"a\"],\"focus\":[1]}", .badRequest), ("not json", .badRequest)] {
                try await client.execute(uri: "/v1/geocode/batch", method: .post, body: ByteBuffer(string: body)) { r in
                    #expect(r.status == status, "\(body)")
                    #expect(r.headers[.contentType] == "application/problem+json")
                }
            }
        }
    }
}
