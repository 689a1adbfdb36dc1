import CityOps
import CityTwinServer
import Foundation
import Geo
import Hummingbird
import HummingbirdTesting
import Importer
import Storage
import Testing
import TestSupport
import VectorTiles

/// Events write to the store, so they get their own copy of the sample city.
enum EventFixture {
    static let state: CityState = SampleFixture.loadSample(into: "events")

    static let geocoding = GeocodingService()

    static let hubTask = Task { try await SampleFixture.makeHub(for: state, name: "events") }
    static func hub() async throws -> EventService { try await hubTask.value }

    static func app() async throws -> some ApplicationProtocol {
        Application(router: CityTwinServer.router(state: state, config: SampleFixture.config, geocoding: geocoding, events: try await hub()))
    }

    static let auth: HTTPFields = [.authorization: "Bearer \(SampleFixture.token)"]
}

@Suite(.serialized) struct EventRouteTests {
    static func post(_ client: some TestClientProtocol, _ body: String) async throws -> (HTTPResponse.Status, JSONValue) {
        try await client.execute(uri: "/v1/events", method: .post, headers: EventFixture.auth, body: ByteBuffer(string: body)) { r in
            (r.status, try JSONParser.parse(String(buffer: r.body)))
        }
    }

    @Test func geocodedEventGetsGridHandlersAndContext() async throws {
        try await EventFixture.app().test(.router) { client in
            let (status, v) = try await Self.post(client, #"{"type":"井盖缺失","description":"井盖缺失，存在安全隐患","address":"致强南路103号","source":"12345热线","reported_at":"2026-11-22T08:00:00+08:00"}"#)
            #expect(status == .created)
            #expect(v["geocode"]?["level"] == .string("门址") && v["needs_review"] == .bool(false) && v["duplicate_of"] == .null)
            let p = Coordinate(v["lon"]!.doubleValue!, v["lat"]!.doubleValue!)
            let owner = EventFixture.state.snapshot.locate(lon: p.x, lat: p.y)
            #expect(v["grid"]?["code"]?.stringValue == owner[.grid].flatMap { $0.0.properties.object($0.1)["code"]?.textValue })
            #expect(v["community"]?["name"] != nil && v["street"]?["name"] != nil)
            // 井盖缺失 → water handlers, nearest first.
            let handlers = v["handlers"]!.arrayValue!
            #expect(handlers.count == 3 && handlers.allSatisfy { $0["type"] == .string("water") })
            let d = handlers.compactMap { $0["distance_m"]?.doubleValue }
            #expect(d == d.sorted())
            // Pipes within 50 m and flood points within 500 m, each within its radius.
            #expect(v["context"]?["pipes"]?.arrayValue?.allSatisfy { ($0["distance_m"]?.doubleValue ?? 99) <= 50 } == true)
            #expect(v["context"]?["flood_points"]?.arrayValue?.allSatisfy { ($0["distance_m"]?.doubleValue ?? 999) <= 500 && $0["status"] != nil } == true)
            // The event is on the map as soon as the events layer is republished
            // (at most every 100 ms, once for a burst of writes): nearest, list, tiles.
            await (try EventFixture.hub()).waitUntilPublished()
            let id = v["id"]!.doubleValue!
            try await client.execute(uri: "/v1/nearest?layer=events&lon=\(p.x)&lat=\(p.y)&k=1", method: .get) { r in
                let got = try SampleFixture.json(r)["results"]?.arrayValue?.first?["id"]?.doubleValue
                #expect(got == id)
            }
            let t = WebMercator.tileRange(BoundingBox(minX: p.x, minY: p.y, maxX: p.x, maxY: p.y), z: 15)
            try await client.execute(uri: "/tiles/events/15/\(t.minX)/\(t.minY).mvt", method: .get) { r in
                #expect(r.status == .ok)
                let f = try MVTTile(decoding: [UInt8](buffer: r.body)).layers[0].decodedFeatures().features
                #expect(f.contains { $0.id == UInt64(id) && $0.properties.contains { $0.key == "status" && $0.value == .string("new") } })
            }
        }
    }

    @Test func byCoordinatesInGCJ02AndTheGridWorkerByDefault() async throws {
        let s = EventFixture.state.snapshot
        let grids = s.layers["grids"]!
        guard case .polygons(let idx) = grids.geometry else { return }
        // A point inside grid 100: its label point.
        let g = idx.geometry(100).boundingBox
        let centre = Coordinate((g.minX + g.maxX) / 2, (g.minY + g.maxY) / 2)
        let p = s.locate(lon: centre.x, lat: centre.y)[.grid]?.1 == 100 ? centre : Coordinate(g.minX + (g.maxX - g.minX) * 0.4, g.minY + (g.maxY - g.minY) * 0.5)
        let code = s.locate(lon: p.x, lat: p.y)[.grid].flatMap { $0.0.properties.object($0.1)["code"]?.textValue }
        let gcj = ChinaCRS.wgs84ToGCJ02(p)
        try await EventFixture.app().test(.router) { client in
            let (status, v) = try await Self.post(client, #"{"type":"噪声投诉","description":"x","lon":\#(gcj.x),"lat":\#(gcj.y),"crs":"gcj02"}"#)
            #expect(status == .created)
            #expect(abs(v["lon"]!.doubleValue! - p.x) < 1e-7 && abs(v["lat"]!.doubleValue! - p.y) < 1e-7)
            #expect(v["geocode"] == .null && v["grid"]?["code"]?.stringValue == code)
            // An unmapped type goes to grid workers, the owning grid's own worker first.
            let h = v["handlers"]!.arrayValue!
            #expect(h.allSatisfy { $0["type"] == .string("grid_worker") })
            #expect(h.first?["grid_code"]?.stringValue == code)
            // 占道经营 → urban_management.
            let (_, u) = try await Self.post(client, #"{"type":"占道经营","description":"x","lon":\#(p.x),"lat":\#(p.y)}"#)
            #expect(u["handlers"]!.arrayValue!.allSatisfy { $0["type"] == .string("urban_management") })
        }
    }

    @Test func duplicatesWithinFiftyMetresAndTwoHours() async throws {
        let p = Coordinate(104.12, 30.70)
        let east40 = Coordinate(p.x + 40 / (111_319.49 * cos(p.y * .pi / 180)), p.y)
        let west60 = Coordinate(p.x - 60 / (111_319.49 * cos(p.y * .pi / 180)), p.y)
        try await EventFixture.app().test(.router) { client in
            let (_, first) = try await Self.post(client, #"{"type":"道路积水","description":"a","lon":\#(p.x),"lat":\#(p.y),"reported_at":"2026-06-01T10:00:00+08:00"}"#)
            let id = first["id"]!
            let (_, near) = try await Self.post(client, #"{"type":"道路积水","description":"b","lon":\#(east40.x),"lat":\#(east40.y),"reported_at":"2026-06-01T11:30:00+08:00"}"#)
            #expect(near["duplicate_of"] == id)
            let (_, far) = try await Self.post(client, #"{"type":"道路积水","description":"c","lon":\#(west60.x),"lat":\#(west60.y),"reported_at":"2026-06-01T10:10:00+08:00"}"#)
            #expect(far["duplicate_of"] == .null)
            let (_, later) = try await Self.post(client, #"{"type":"道路积水","description":"d","lon":\#(east40.x),"lat":\#(east40.y),"reported_at":"2026-06-01T12:30:00+08:00"}"#)
            #expect(later["duplicate_of"] == .null || later["duplicate_of"] != id)
            let (_, otherType) = try await Self.post(client, #"{"type":"垃圾堆放","description":"e","lon":\#(east40.x),"lat":\#(east40.y),"reported_at":"2026-06-01T10:05:00+08:00"}"#)
            #expect(otherType["duplicate_of"] == .null)
            #expect(first["handlers"]?.arrayValue?.first?["type"] == .string("drainage"))
        }
    }

    @Test func lowConfidenceGeocodesNeedReview() async throws {
        try await EventFixture.app().test(.router) { client in
            // A bare chain alias names 60 post offices: kept, flagged, with candidates.
            let (status, v) = try await Self.post(client, #"{"type":"垃圾堆放","description":"x","address":"邮局"}"#)
            #expect(status == .created)
            #expect(v["needs_review"] == .bool(true))
            #expect((v["candidates"]?.arrayValue?.count ?? 0) >= 2)
            let (bad, problem) = try await Self.post(client, #"{"type":"垃圾堆放","description":"x","address":"qqqq zzzz"}"#)
            #expect(bad == .unprocessableContent && problem["detail"]?.stringValue?.contains("lon/lat") == true)
        }
    }

    @Test func statusMovesAndListing() async throws {
        try await EventFixture.app().test(.router) { client in
            let (_, v) = try await Self.post(client, #"{"type":"路灯损坏","description":"x","lon":104.09,"lat":30.66}"#)
            let id = Int(v["id"]!.doubleValue!)
            func patch(_ status: String) async throws -> HTTPResponse.Status {
                try await client.execute(uri: "/v1/events/\(id)", method: .patch, headers: EventFixture.auth,
                                         body: ByteBuffer(string: #"{"status":"\#(status)"}"#)) { $0.status }
            }
            #expect(try await patch("resolved") == .unprocessableContent)
            for s in ["dispatched", "in_progress", "resolved", "closed"] { #expect(try await patch(s) == .ok, "\(s)") }
            #expect(try await patch("in_progress") == .unprocessableContent)
            #expect(try await patch("flying") == .badRequest)
            try await client.execute(uri: "/v1/events/999999", method: .patch, headers: EventFixture.auth, body: ByteBuffer(string: #"{"status":"closed"}"#)) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(uri: "/v1/events?status=closed&type=\(GeocodeRouteTests.encode("路灯损坏"))", method: .get) { r in
                let e = try SampleFixture.json(r)["events"]!.arrayValue!
                #expect(e.contains { $0["id"]?.doubleValue == Double(id) })
                #expect(e.allSatisfy { $0["status"] == .string("closed") && $0["type"] == .string("路灯损坏") })
            }
            try await client.execute(uri: "/v1/events?bbox=104.0,30.0,104.01,30.01", method: .get) { r in
                let n = try SampleFixture.json(r)["count"]
                #expect(n == .number(0))
            }
            try await client.execute(uri: "/v1/events?since=2999-01-01T00:00:00Z", method: .get) { r in
                let n = try SampleFixture.json(r)["count"]
                #expect(n == .number(0))
            }
            try await client.execute(uri: "/v1/events?status=lost", method: .get) { r in #expect(r.status == .badRequest) }
        }
    }

    @Test func badEventsAreRefusedAndNothingIsStored() async throws {
        let before = try await EventFixture.hub().store.eventCount()
        try await EventFixture.app().test(.router) { client in
            // (No type is fine when a description can be classified: ExtractAndClassifyRouteTests.)
            for body in [#"{"lon":104,"lat":30}"#, #"{"type":"a"}"#, #"{"type":"a","lon":"x","lat":30}"#,
                         #"{"type":"a","lon":104}"#, #"{"type":"a","lon":104,"lat":30,"crs":"utm"}"#, #"{"type":"a","lon":500,"lat":30}"#,
                         #"{"type":"a","address":"建设路1号","reported_at":"yesterday"}"#, #"[1]"#, "nope"] {
                let (status, _) = try await Self.post(client, body)
                #expect(status == .badRequest, "\(body)")
            }
            try await client.execute(uri: "/v1/events", method: .post, body: ByteBuffer(string: #"{"type":"a","lon":104,"lat":30}"#)) { r in
                #expect(r.status == .unauthorized)
            }
        }
        #expect(try await EventFixture.hub().store.eventCount() == before)
    }
}
