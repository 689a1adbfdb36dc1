import CityOps
import CityTwinServer
import Foundation
import Geo
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// `mode=extract` on the geocode routes, and events placed and typed from their description.
@Suite(.serialized) struct ExtractAndClassifyRouteTests {
    static func encode(_ s: String) -> String { GeocodeRouteTests.encode(s) }

    /// The sample's own work orders: `description` is the address followed by a sentence.
    static let orders = GeocodeRouteTests.orders.filter { ["门址", "限定词", "中文数字", "带行政区前缀"].contains($0["properties"]?["form"]?.stringValue ?? "") }

    @Test func extractFindsTheAddressInTheSentenceWithItsSpan() async throws {
        try await SampleFixture.app().test(.router) { client in
            for f in Self.orders.prefix(12) {
                let p = f["properties"]!
                let address = p["address"]!.stringValue!, description = "市民反映" + p["description"]!.stringValue! + "，请处理"
                let truth = f["geometry"]!["coordinates"]!.arrayValue!.compactMap(\.doubleValue)
                try await client.execute(uri: "/v1/geocode?mode=extract&q=\(Self.encode(description))", method: .get) { r in
                    #expect(r.status == .ok)
                    let v = try SampleFixture.json(r)
                    let m = try #require(v["mention"])
                    // The span cuts the mention out of the input, counted in code points (as Python counts).
                    let scalars = Array(description.unicodeScalars)
                    let s = Int(m["span"]!["start"]!.doubleValue!), e = Int(m["span"]!["end"]!.doubleValue!)
                    #expect(String(String.UnicodeScalarView(scalars[s..<e])) == m["text"]?.stringValue)
                    #expect(m["text"]?.stringValue?.hasPrefix(address) == true || address.hasPrefix(m["text"]?.stringValue ?? "-"), "\(address) vs \(m)")
                    let top = try #require(v["results"]?.arrayValue?.first)
                    let got = Coordinate(top["lon"]!.doubleValue!, top["lat"]!.doubleValue!)
                    #expect(GeocodeRouteTests.gridsNear(Coordinate(truth[0], truth[1])).contains(GeocodeRouteTests.grid(got) ?? "-"), "\(description)")
                }
            }
            // Nothing to find: mention null, no results; a bad mode is a 400 naming it.
            try await client.execute(uri: "/v1/geocode?mode=extract&q=\(Self.encode("请尽快处理"))", method: .get) { r in
                let v = try SampleFixture.json(r)
                #expect(r.status == .ok && v["mention"] == .null && v["results"]?.arrayValue?.isEmpty == true)
            }
            try await client.execute(uri: "/v1/geocode?mode=guess&q=x", method: .get) { r in
                #expect(r.status == .badRequest)
                #expect(String(buffer: r.body).contains("mode"))
            }
        }
    }

    @Test func batchExtractKeepsOrder() async throws {
        let texts = Self.orders.prefix(20).map { "来电反映" + ($0["properties"]!["description"]!.stringValue!) } + ["没有地点的句子"]
        let body = JSONWriter.string(.object(JSONObject([("mode", .string("extract")), ("queries", .array(texts.map(JSONValue.string)))])))
        try await SampleFixture.app().test(.router) { client in
            try await client.execute(uri: "/v1/geocode/batch", method: .post, body: ByteBuffer(string: body)) { r in
                #expect(r.status == .ok)
                let items = try SampleFixture.json(r)["results"]!.arrayValue!
                #expect(items.count == texts.count)
                for (k, item) in items.enumerated() {
                    #expect(item["query"]?.stringValue == texts[k])
                    // The same answer as asking for that one text alone.
                    let one = SampleFixture.geocoding.extract(texts[k], focus: nil, limit: 1, snapshot: SampleFixture.state.snapshot)
                    #expect(item["mention"]?["text"]?.stringValue == one?.text)
                }
                #expect(items.last?["mention"] == .null)
            }
        }
    }

    @Test func eventWithoutAddressIsPlacedAndTypedFromItsDescription() async throws {
        // (Not the first 门址 order: EventRouteTests places its events there.)
        let plain = Self.orders.filter { (f: JSONValue) in f["properties"]?["form"]?.stringValue == "门址" }
        let order = try #require(plain.dropFirst(5).first)
        let address = order["properties"]!["address"]!.stringValue!
        let truth = order["geometry"]!["coordinates"]!.arrayValue!.compactMap(\.doubleValue)
        let body = #"{"description":"市民反映\#(address)门口有井盖缺失，很危险","source":"12345热线"}"#
        try await EventFixture.app().test(.router) { client in
            let (status, v) = try await EventRouteTests.post(client, body)
            #expect(status == .created)
            #expect(v["location_source"] == .string("description"))
            #expect(v["mention"]?["text"]?.stringValue == address + "门口")
            #expect(v["type"] == .string("井盖缺失"))
            #expect(v["type_proposal"]?["category"] == .string("公用设施") && v["type_proposal"]?["kind"] == .string("部件"))
            #expect((v["type_proposal"]?["confidence"]?.doubleValue ?? 0) > 0.5)
            // The handler mapping follows the proposal: 井盖缺失 → water.
            #expect(v["handler_type"] == .string("water"))
            #expect(v["handlers"]?.arrayValue?.allSatisfy { $0["type"] == .string("water") } == true)
            let got = Coordinate(v["lon"]!.doubleValue!, v["lat"]!.doubleValue!)
            #expect(GeocodeRouteTests.gridsNear(Coordinate(truth[0], truth[1])).contains(GeocodeRouteTests.grid(got) ?? "-"))
            // With an address, the address is used and said so; a given type is kept.
            let (s2, v2) = try await EventRouteTests.post(client, #"{"type":"占道经营","description":"井盖缺失","address":"\#(address)"}"#)
            #expect(s2 == .created && v2["location_source"] == .string("address") && v2["type"] == .string("占道经营"))
            #expect(v2["type_proposal"] == nil)
            // A description naming no place and no point: 422 naming the description; no type and no text: 400.
            let (s3, v3) = try await EventRouteTests.post(client, #"{"description":"有人占道经营"}"#)
            #expect(s3 == .unprocessableContent && (v3["detail"]?.stringValue ?? "").contains("description"))
            let (s4, _) = try await EventRouteTests.post(client, #"{"lon":104.1,"lat":30.67}"#)
            #expect(s4 == .badRequest)
            // Untypable text: stored as 未分类 for review.
            let (s5, v5) = try await EventRouteTests.post(client, #"{"description":"\#(address)有情况","source":"12345热线"}"#)
            #expect(s5 == .created && v5["type"] == .string("未分类") && v5["needs_review"] == .bool(true))
        }
    }

    @Test func outOfAreaDescriptionIsRefusedNotPlacedLocally() async throws {
        try await EventFixture.app().test(.router) { client in
            let (status, v) = try await EventRouteTests.post(client, #"{"description":"安徽省芜湖市建设路2号井盖缺失"}"#)
            #expect(status == .unprocessableContent)
            let detail = v["detail"]?.stringValue ?? ""
            #expect(detail.contains("outside"))
        }
    }

    @Test func taxonomyFromTheConfigAndTheClassifyRoute() async throws {
        let (c, warnings) = try ServerConfig.parse(yaml: """
        dispatch:
          type_min_confidence: 0.2
          event_types:
            电梯故障: {kind: 部件, category: 房屋土地, keywords: [电梯+坏, 困人], handler_type: property, colour: red}
            占道经营: {keywords: [卖菜]}
        """)
        #expect(warnings == ["unknown config key dispatch.event_types.电梯故障.colour"])
        #expect(c.dispatch.taxonomy.minimumConfidence == 0.2)
        #expect(c.dispatch.taxonomy.rule("占道经营")?.keywords == ["卖菜"])
        // A rule overridden keeps its category and handler unless given.
        #expect(c.dispatch.taxonomy.rule("占道经营")?.category == "街面秩序")
        #expect(throws: ServerConfig.ConfigError.self) { try ServerConfig.parse(yaml: "dispatch: {event_types: {x: {keywords: []}}}") }
        #expect(throws: ServerConfig.ConfigError.self) { try ServerConfig.parse(yaml: "dispatch: {type_min_confidence: 2}") }
        let (only, _) = try ServerConfig.parse(yaml: "dispatch: {event_types_replace: true, event_types: {电梯故障: {keywords: [电梯]}}}")
        #expect(only.dispatch.taxonomy.rules.map(\.type) == ["电梯故障"])
        var config = SampleFixture.config
        config.dispatch = c.dispatch
        try await SampleFixture.app(config).test(.router) { client in
            try await client.execute(uri: "/v1/events/classify?text=\(Self.encode("3栋电梯坏了有人被困人"))", method: .get) { r in
                let v = try SampleFixture.json(r)
                #expect(v["proposal"]?["type"] == .string("电梯故障") && v["handler_type"] == .string("property"))
            }
            try await client.execute(uri: "/v1/events/classify?text=\(Self.encode("天气很好"))", method: .get) { r in
                let v = try SampleFixture.json(r)
                #expect(r.status == .ok && v["proposal"] == .null)
            }
            try await client.execute(uri: "/v1/events/classify", method: .get) { r in #expect(r.status == .badRequest) }
            try await client.execute(uri: "/v1/geocode?mode=extract&q=\(Self.encode("有人在路边卖菜"))", method: .get) { r in
                let v = try SampleFixture.json(r)
                #expect(v["event_type"]?["type"] == .string("占道经营"))
            }
        }
    }
}
