import CityOps
import CityTwinServer
import Foundation
import Geo
import Hummingbird
import HummingbirdTesting
import Importer
import Storage
import TestSupport
import Testing
import VectorTiles

/// Live bikes over HTTP on a copy of the sample city: ingest, order, expiry,
/// retention, bad input, live balance and activity, stream, fences, tiles.
@Suite(.serialized) struct LiveBikeTests {
    static let auth: HTTPFields = [.authorization: "Bearer \(SampleFixture.token)"]
    /// The sample's clock: reports are stamped relative to it.
    static let start = Date(timeIntervalSince1970: 1_780_000_000)

    /// One copy of the sample per test that needs a fresh one (a few seconds each).
    struct Fixture {
        let state: CityState
        let store: SQLiteOperationalStore
        let clock: ManualClock
        let feed: LiveFeed
        let bikes: LiveBikeService
        let tiles: TileService
        let dir: String

        init(_ name: String, settings: LiveBikeSettings = LiveBikeSettings(), fences: String? = nil) async throws {
            dir = TestSupport.scratch("bikes-" + name)
            let main = try SpatiaLiteStore(path: dir + "/sample.sqlite")
            let manifest = try GeoDataManifest.read(directory: TestSupport.projectRoot + "/GeoData")
            _ = try manifest.load(directory: TestSupport.projectRoot + "/GeoData", into: main, rejectsDirectory: dir)
            if let fences {
                try fences.write(toFile: dir + "/fences.geojson", atomically: true, encoding: .utf8)
                var o = ImportOptions(layer: "fences", role: .bikeFence)
                o.rejectsPath = dir + "/fence-rejects"
                _ = try LayerImporter.run(files: [dir + "/fences.geojson"], options: o, store: main)
            }
            state = try CityState(store: main)
            store = try SQLiteOperationalStore(path: dir + "/ops.sqlite")
            clock = ManualClock(LiveBikeTests.start)
            feed = LiveFeed()
            bikes = try await LiveBikeService(state: state, store: store, settings: settings, clock: clock, feed: feed)
            tiles = TileService()
            tiles.attach(bikes, role: .bike)
        }

        func app(_ config: ServerConfig = SampleFixture.config) -> some ApplicationProtocol {
            Application(router: CityTwinServer.router(state: state, config: config, tiles: tiles, geocoding: SampleFixture.geocoding, bikes: bikes))
        }

        func post(_ client: some TestClientProtocol, _ body: String) async throws -> JSONValue {
            try await client.execute(uri: "/v1/bikes/positions", method: .post, headers: LiveBikeTests.auth, body: ByteBuffer(string: body)) { r in
                #expect(r.status == .ok, "\(String(buffer: r.body))")
                return try SampleFixture.json(r)
            }
        }
    }

    static func at(_ seconds: Double) -> String { Timestamp.string(start.addingTimeInterval(seconds)) }

    static func report(_ id: String, _ lon: Double, _ lat: Double, _ t: Double, status: String = "parked", op: String = "哈啰") -> String {
        "{\"bike_id\":\"\(id)\",\"operator\":\"\(op)\",\"lon\":\(lon),\"lat\":\(lat),\"observed_at\":\"\(at(t))\",\"status\":\"\(status)\"}"
    }

    /// The sample's bikes as imported (id → position), for brute-force checks.
    static let sampleBikes: [(id: String, lon: Double, lat: Double)] = {
        let text = try! String(contentsOfFile: TestSupport.projectRoot + "/GeoData/bikes.csv", encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: ",")
            return (String(f[0]), Double(f[2])!, Double(f[3])!)
        }
    }()

    // MARK: item 1 — ingest, order, persistence, expiry, retention

    @Test func ingestMovesBikesIgnoresOlderReportsAndPersists() async throws {
        let fx = try await Fixture("ingest")
        let first = Self.sampleBikes[0]
        let (lon, lat) = (first.lon + 0.01, first.lat + 0.005)
        let before = fx.bikes.count
        #expect(before == Self.sampleBikes.count)
        try await fx.app().test(.router) { client in
            let body = [Self.report(first.id, lon, lat, -60), Self.report("NEW-1", 104.1, 30.66, -30, status: "riding", op: "美团")].joined(separator: "\n")
            let r = try await fx.post(client, body)
            #expect(r["received"] == .number(2) && r["applied"] == .number(2) && r["rejected"] == .number(0))
            // The moved bike is found at its new position, not at its old one.
            try await client.execute(uri: "/v1/within?layer=bikes&lon=\(lon)&lat=\(lat)&radius=5", method: .get) { r in
                let v = try SampleFixture.json(r)
                #expect(v["results"]?.arrayValue?.contains { $0["bike_id"] == .string(first.id) } == true)
            }
            try await client.execute(uri: "/v1/within?layer=bikes&lon=\(first.lon)&lat=\(first.lat)&radius=1", method: .get) { r in
                let v = try SampleFixture.json(r)
                #expect(v["results"]?.arrayValue?.contains { $0["bike_id"] == .string(first.id) } == false)
            }
            try await client.execute(uri: "/v1/nearest?layer=bikes&lon=104.1&lat=30.66&k=1", method: .get) { r in
                let v = try SampleFixture.json(r)
                let top = v["results"]?.arrayValue?.first
                #expect(top?["bike_id"] == .string("NEW-1") && top?["status"] == .string("riding"))
            }
            // Older (and equally old) reports change nothing.
            let old = try await fx.post(client, Self.report(first.id, first.lon, first.lat, -120) + "\n" + Self.report("NEW-1", 104.2, 30.7, -30))
            #expect(old["applied"] == .number(0) && old["ignored_older"] == .number(2))
        }
        #expect(fx.bikes.bike(id: first.id).map { TestSupport.metres(($0.position.x, $0.position.y), (lon, lat)) < 0.01 } == true)
        #expect(fx.bikes.count == before + 1)
        // Stored: history of what applied, latest per bike; a restarted service loads them.
        #expect(try await fx.store.bikePositionCount() == 2)
        let again = try await LiveBikeService(state: fx.state, store: fx.store, clock: fx.clock)
        let moved = try #require(again.bike(id: first.id))
        #expect(TestSupport.metres((moved.position.x, moved.position.y), (lon, lat)) < 0.01)
        #expect(again.bike(id: "NEW-1")?.status == .riding && again.count == before + 1)
    }

    @Test func bikesNotHeardFromExpireAndHistoryIsRetained() async throws {
        var settings = LiveBikeSettings()
        settings.expirySeconds = 3600
        settings.retentionDays = 1
        let fx = try await Fixture("expiry", settings: settings)
        let n = fx.bikes.count
        try await fx.app().test(.router) { client in
            _ = try await fx.post(client, [Self.report("A", 104.1, 30.66, 0), Self.report("B", 104.11, 30.66, 0)].joined(separator: "\n"))
        }
        #expect(fx.bikes.count == n + 2)
        fx.clock.advance(by: 1800)
        _ = try await fx.bikes.ingest(bytes: Array(Self.report("B", 104.11, 30.661, 1800).utf8))
        fx.clock.advance(by: 1900)
        // A last heard 3,700 s ago drops out; B (1,900 s) stays; imported bikes never expire.
        #expect(fx.bikes.expire() == 1)
        #expect(fx.bikes.bike(id: "A") == nil && fx.bikes.bike(id: "B") != nil && fx.bikes.count == n + 1)
        #expect(fx.bikes.within(lon: 104.1, lat: 30.66, radius: 1, limit: 10).bikes.allSatisfy { $0.bikeID != "A" })
        // History older than a day goes; so do stored latest positions that expired.
        #expect(try await fx.store.bikePositionCount() == 3)
        fx.clock.advance(by: 86_400)
        let purged = try await fx.bikes.applyRetention()
        #expect(purged.history == 3 && purged.latest == 2)
        #expect(try await fx.store.bikePositionCount() == 0)
    }

    // MARK: item 6 — bad input

    @Test func badReportsGetReasonsAndTheRestApply() async throws {
        var settings = LiveBikeSettings()
        settings.maxBatch = 20
        let fx = try await Fixture("bad", settings: settings)
        try await fx.app().test(.router) { client in
            _ = try await fx.post(client, Self.report("KEEP", 104.1, 30.66, -10))
            let lines = [
                Self.report("OK-1", 104.1, 30.66, -5),
                #"{"bike_id":"C1","operator":"x","lon":104.1,"lat":30.66,"crs":"epsg:3857","observed_at":"\#(Self.at(0))"}"#,
                #"{"bike_id":"N1","operator":"x","lon":"NaN","lat":30.66,"observed_at":"\#(Self.at(0))"}"#,
                Self.report("FAR", 110.0, 30.66, 0),
                Self.report("OK-1", 104.2, 30.7, -1),
                Self.report("FUT", 104.1, 30.66, 3600),
                #"{"bike_id":"T1","operator":"x","lon":104.1,"lat":30.66,"observed_at":"yesterday"}"#,
                #"{"bike_id":"S1","operator":"x","lon":104.1,"lat":30.66,"observed_at":"\#(Self.at(0))","status":"stolen"}"#,
                "{not json",
                "[1,2]",
                #"{"operator":"x","lon":104.1,"lat":30.66,"observed_at":"\#(Self.at(0))"}"#,
                Self.report("OK-2", 104.101, 30.661, -5).replacingOccurrences(of: "\"lon\":104.101,\"lat\":30.661", with: "\"lon\":104.10747,\"lat\":30.66416,\"crs\":\"gcj02\""),
            ].joined(separator: "\n")
            let r = try await fx.post(client, lines)
            #expect(r["received"] == .number(12) && r["applied"] == .number(2) && r["rejected"] == .number(10))
            let reasons = Dictionary(uniqueKeysWithValues: (r["errors"]?.arrayValue ?? []).map { (Int($0["index"]?.doubleValue ?? -1), $0["reason"]?.stringValue ?? "") })
            #expect(reasons[1]?.contains("unknown crs") == true)
            #expect(reasons[2]?.contains("lon and lat must be numbers") == true)
            #expect(reasons[3]?.contains("outside the city's area") == true)
            #expect(reasons[4]?.contains("repeated in this batch (first at item 0)") == true)
            #expect(reasons[5]?.contains("in the future") == true)
            #expect(reasons[6]?.contains("not an ISO 8601") == true)
            #expect(reasons[7]?.contains("status must be") == true)
            #expect(reasons[8]?.contains("line 9 is not valid JSON") == true)
            #expect(reasons[9]?.contains("must be a JSON object") == true)
            #expect(reasons[10]?.contains("bike_id is missing") == true)
            #expect(reasons[11] == nil)
            // The GCJ-02 report is stored in WGS84 (about 300-600 m from where it was given in this region).
            let gcj = try #require(fx.bikes.bike(id: "OK-2"))
            let offset = TestSupport.metres((gcj.position.x, gcj.position.y), (104.10747, 30.66416))
            #expect(offset > 100 && offset < 1000)
            // Whole-body faults: too many items (413), a broken JSON array (400); nothing stored is lost.
            let many = (0..<21).map { Self.report("M\($0)", 104.1, 30.66, 0) }.joined(separator: "\n")
            try await client.execute(uri: "/v1/bikes/positions", method: .post, headers: Self.auth, body: ByteBuffer(string: many)) { r in
                #expect(r.status == .contentTooLarge)
            }
            try await client.execute(uri: "/v1/bikes/positions", method: .post, headers: Self.auth, body: ByteBuffer(string: "[{\"bike_id\":")) { r in
                #expect(r.status == .badRequest)
            }
            var small = SampleFixture.config
            small.limits.maxBodyBytes = 100
            try await fx.app(small).test(.router) { c2 in
                try await c2.execute(uri: "/v1/bikes/positions", method: .post, headers: Self.auth, body: ByteBuffer(string: many)) { r in
                    #expect(r.status == .contentTooLarge)
                }
            }
            try await client.execute(uri: "/v1/bikes/positions", method: .post, body: ByteBuffer(string: many)) { r in #expect(r.status == .unauthorized) }
        }
        #expect(fx.bikes.bike(id: "KEEP") != nil && fx.bikes.bike(id: "M0") == nil)
    }
}
