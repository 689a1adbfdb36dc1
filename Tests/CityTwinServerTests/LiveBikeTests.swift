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

    /// The sample's stations (position, id, capacity), as imported.
    static let stations: [(id: String, lon: Double, lat: Double, capacity: Int)] = {
        let v = try! JSONParser.parse(String(contentsOfFile: TestSupport.projectRoot + "/GeoData/bike_stations.geojson", encoding: .utf8))
        return (v["features"]?.arrayValue ?? []).map { f in
            let c = f["geometry"]?["coordinates"]?.arrayValue ?? []
            return (f["properties"]?["station_id"]?.stringValue ?? "", c[0].doubleValue!, c[1].doubleValue!,
                    Int(f["properties"]?["capacity"]?.doubleValue ?? 0))
        }
    }()

    /// Fences for the checks: a parking square (about 115 × 130 m, capacity 3) around each
    /// of the first ten stations, a no-parking square inside the first one and one of its own.
    static let fences: String = {
        func square(_ lon: Double, _ lat: Double, _ d: Double) -> String {
            "[[[\(lon - d),\(lat - d)],[\(lon + d),\(lat - d)],[\(lon + d),\(lat + d)],[\(lon - d),\(lat + d)],[\(lon - d),\(lat - d)]]]"
        }
        var features: [String] = []
        for (k, st) in stations.prefix(10).enumerated() {
            features.append("{\"type\":\"Feature\",\"properties\":{\"fence_id\":\"F\(k)\",\"kind\":\"parking\",\"capacity\":3},"
                            + "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":\(square(st.lon, st.lat, 0.0006))}}")
        }
        let s0 = stations[0], s10 = stations[10]
        features.append("{\"type\":\"Feature\",\"properties\":{\"fence_id\":\"N0\",\"kind\":\"no_parking\"},"
                        + "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":\(square(s0.lon, s0.lat, 0.0002))}}")
        features.append("{\"type\":\"Feature\",\"properties\":{\"fence_id\":\"N1\",\"kind\":\"no_parking\"},"
                        + "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":\(square(s10.lon, s10.lat, 0.0008))}}")
        return "{\"type\":\"FeatureCollection\",\"features\":[" + features.joined(separator: ",\n") + "]}"
    }()

    /// The sample city with the fences, imported once for the suite (the slow part).
    static let shared: (state: CityState, dir: String) = {
        let dir = TestSupport.scratch("bikes-city")
        let main = try! SpatiaLiteStore(path: dir + "/sample.sqlite")
        let manifest = try! GeoDataManifest.read(directory: TestSupport.projectRoot + "/GeoData")
        _ = try! manifest.load(directory: TestSupport.projectRoot + "/GeoData", into: main, rejectsDirectory: dir)
        try! fences.write(toFile: dir + "/fences.geojson", atomically: true, encoding: .utf8)
        var o = ImportOptions(layer: "fences", role: .bikeFence)
        o.rejectsPath = dir + "/fence-rejects"
        _ = try! LayerImporter.run(files: [dir + "/fences.geojson"], options: o, store: main)
        return (try! CityState(store: main), dir)
    }()

    /// A live service of its own (operational database, clock, stream, tile cache) on the shared city.
    struct Fixture {
        let state: CityState
        let store: SQLiteOperationalStore
        let clock: ManualClock
        let feed: LiveFeed
        let bikes: LiveBikeService
        let tiles: TileService

        init(_ name: String, settings: LiveBikeSettings = LiveBikeSettings()) async throws {
            state = LiveBikeTests.shared.state
            store = try SQLiteOperationalStore(path: TestSupport.scratch("bikes-" + name) + "/ops.sqlite")
            clock = ManualClock(LiveBikeTests.start)
            feed = LiveFeed()
            bikes = try await LiveBikeService(state: state, store: store, settings: settings, clock: clock, feed: feed)
            tiles = TileService()
            tiles.attach(bikes, role: .bike)
            tiles.attach(LiveStationTiles(bikes), role: .bikeStation)
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

    @Test func positionsStoredByAnotherWriterAreFollowedAndOwnOnesSkipped() async throws {
        let fx = try await Fixture("follow")
        func send(_ service: LiveBikeService, _ lines: [String]) async throws {
            _ = try await service.ingest(bytes: Array(lines.joined(separator: "\n").utf8))
        }
        try await send(fx.bikes, [Self.report("OWN", 104.1, 30.66, -60)])
        // The service's own batch is not read back.
        #expect(try await fx.bikes.followStore() == 0)
        // Another writer on the same file (as `citytwin bikes ingest` is): a store of its own.
        let other = try await LiveBikeService(state: fx.state, store: try SQLiteOperationalStore(path: fx.store.path), clock: fx.clock)
        try await send(fx.bikes, [Self.report("OWN", 104.1, 30.661, -10)])
        let first = Self.sampleBikes[0]
        try await send(other, [Self.report(first.id, first.lon + 0.01, first.lat, -30), Self.report("X1", 104.11, 30.67, -30)])
        // X1 moves on; OWN's report is newer than what `other` knew but older than what this service holds.
        try await send(other, [Self.report("X1", 104.12, 30.68, -20), Self.report("OWN", 104.1, 30.662, -50)])
        #expect(fx.bikes.bike(id: "X1") == nil)
        // Paged: the first batch and one row of the second, then the rest, then nothing.
        #expect(try await fx.bikes.followStore(limit: 3) == 3)
        #expect(try await fx.bikes.followStore() == 1)
        #expect(try await fx.bikes.followStore() == 0)
        let x1 = try #require(fx.bikes.bike(id: "X1"))
        #expect(TestSupport.metres((x1.position.x, x1.position.y), (104.12, 30.68)) < 0.01)
        let moved = try #require(fx.bikes.bike(id: first.id))
        #expect(TestSupport.metres((moved.position.x, moved.position.y), (first.lon + 0.01, first.lat)) < 0.01)
        let own = try #require(fx.bikes.bike(id: "OWN"))
        #expect(TestSupport.metres((own.position.x, own.position.y), (104.1, 30.661)) < 0.01)
        #expect(fx.bikes.within(lon: 104.12, lat: 30.68, radius: 1, limit: 5).bikes.map(\.bikeID) == ["X1"])
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

    @Test func livePositionsPageInBikeIDOrderAgainstBruteForce() async throws {
        let fx = try await Fixture("positions-page")
        let first = Self.sampleBikes[0]
        try await fx.app().test(.router) { client in
            _ = try await fx.post(client, [Self.report(first.id, first.lon + 0.01, first.lat, -60), Self.report("ZZ-NEW", 104.1, 30.66, -60),
                                           Self.report("RIDER", 104.11, 30.661, -60, status: "riding")].joined(separator: "\n"))
            // Brute force: every sample bike where it was imported, but the moved one, and the new ones.
            var expected: [String: (Double, Double)] = [:]
            for b in Self.sampleBikes { expected[b.id] = (b.lon, b.lat) }
            expected[first.id] = (first.lon + 0.01, first.lat)
            expected["ZZ-NEW"] = (104.1, 30.66)
            expected["RIDER"] = (104.11, 30.661)
            /// Follows `next` from `uri`; a bike added with the smallest id after the first page must not shift the pages.
            func pages(_ uri: String, addAfterFirst: Bool = false) async throws -> (ids: [String], matched: [Int], features: [JSONValue]) {
                var ids: [String] = [], matched: [Int] = [], features: [JSONValue] = []
                var next: String? = uri
                while let u = next {
                    next = nil
                    try await client.execute(uri: u, method: .get) { r in
                        #expect(r.status == .ok)
                        let v = try SampleFixture.json(r)
                        let list = v["features"]?.arrayValue ?? []
                        #expect(v["type"] == .string("FeatureCollection") && v["numberReturned"] == .number(Double(list.count)))
                        matched.append(Int(v["numberMatched"]?.doubleValue ?? -1))
                        features += list
                        ids += list.compactMap { $0["properties"]?["bike_id"]?.stringValue }
                        next = v["next"]?.stringValue
                    }
                    if addAfterFirst && matched.count == 1 { _ = try await fx.post(client, Self.report("000-FIRST", 104.1, 30.66, -30)) }
                }
                return (ids, matched, features)
            }
            let all = try await pages("/v1/bikes/positions?limit=10000", addAfterFirst: true)
            #expect(all.ids == expected.keys.sorted())
            #expect(all.matched.first == expected.count && all.matched.last == expected.count + 1)
            for f in all.features {
                let id = f["id"]?.stringValue ?? ""
                let c = f["geometry"]?["coordinates"]?.arrayValue?.compactMap(\.doubleValue) ?? []
                let e = try #require(expected[id])
                #expect(c.count == 2 && abs(c[0] - e.0) < 1e-6 && abs(c[1] - e.1) < 1e-6, "\(id)")
            }
            #expect(all.features.first { $0["id"] == .string("RIDER") }?["properties"]?["status"] == .string("riding"))
            #expect(all.features.first { $0["id"] == .string(first.id) }?["properties"]?["observed_at"] != .null)
            expected["000-FIRST"] = (104.1, 30.66)
            // A bbox: the bikes inside it by brute force, in id order; and the cursor goes on from any id.
            let (w, s, e, n) = (104.095, 30.655, 104.105, 30.665)
            let inBox = expected.filter { $0.value.0 >= w && $0.value.0 <= e && $0.value.1 >= s && $0.value.1 <= n }.keys.sorted()
            #expect(inBox.count > 100)
            let boxed = try await pages("/v1/bikes/positions?limit=50&bbox=\(w),\(s),\(e),\(n)")
            #expect(boxed.ids == inBox && boxed.matched.allSatisfy { $0 == inBox.count })
            let tail = try await pages("/v1/bikes/positions?limit=10000&after=\(inBox[5])&bbox=\(w),\(s),\(e),\(n)")
            #expect(tail.ids == Array(inBox.dropFirst(6)))
            try await client.execute(uri: "/v1/bikes/positions?limit=0", method: .get) { r in #expect(r.status == .badRequest) }
        }
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

    /// The area's margin (bikes.area_margin_m, 5 km): 4.5 km outside the area on each side is taken,
    /// 5.5 km is refused, measured as great-circle metres from the area's edge.
    @Test func positionsJustInsideTheMarginAreTakenAndJustOutsideRefused() async throws {
        let fx = try await Fixture("margin")
        let a = fx.bikes.area
        let (midLon, midLat) = ((a.minX + a.maxX) / 2, (a.minY + a.maxY) / 2)
        let perLat = 111_195.0, perLon = 111_195.0 * cos(midLat * .pi / 180)
        var lines: [String] = [], expected: [String: Bool] = [:]
        for (side, d) in [("E", 1.0), ("W", -1.0), ("N", 1.0), ("S", -1.0)] {
            for metres in [4_500.0, 5_500.0] {
                let p = side == "E" || side == "W"
                    ? ((d > 0 ? a.maxX : a.minX) + d * metres / perLon, midLat)
                    : (midLon, (d > 0 ? a.maxY : a.minY) + d * metres / perLat)
                let edge = side == "E" || side == "W" ? ((d > 0 ? a.maxX : a.minX), midLat) : (midLon, (d > 0 ? a.maxY : a.minY))
                #expect(abs(TestSupport.metres(p, edge) - metres) < 50, "\(side) \(metres)")
                let id = "M-\(side)-\(Int(metres))"
                lines.append(Self.report(id, p.0, p.1, -5))
                expected[id] = metres < 5_000
            }
        }
        let r = try await fx.bikes.ingest(bytes: Array(lines.joined(separator: "\n").utf8))
        #expect(r.applied == 4 && r.rejected.count == 4)
        for (id, taken) in expected {
            #expect((fx.bikes.bike(id: id) != nil) == taken, "\(id)")
            if !taken { #expect(r.rejected.contains { $0.bikeID == id && $0.reason.contains("outside the city's area by more than 5000 m") }, "\(id)") }
        }
    }

    // MARK: item 3 — live balance, activity, stream

    /// Parked bikes within 100 m of a station, by brute force over the sample plus `moves`.
    static func bruteCount(_ st: (id: String, lon: Double, lat: Double, capacity: Int), moves: [String: (Double, Double, Bool)],
                           radius: Double = 100) -> Int {
        var n = 0
        for b in sampleBikes where moves[b.id] == nil && TestSupport.metres((b.lon, b.lat), (st.lon, st.lat)) <= radius { n += 1 }
        for (_, m) in moves where m.2 && TestSupport.metres((m.0, m.1), (st.lon, st.lat)) <= radius { n += 1 }
        return n
    }

    @Test func balanceFollowsLiveBikesWithActivityAndStationMessages() async throws {
        let fx = try await Fixture("balance")
        let before = try fx.bikes.balance()
        // A station in deficit gets enough new bikes to be ok; a sample bike at station A moves to station B.
        let k = try #require(before.stations.indices.first { before.stations[$0].status == .deficit && before.stations[$0].capacity >= 4 })
        let target = Self.stations[k]
        let need = Int((0.35 * Double(target.capacity)).rounded(.up)) - before.stations[k].count + 1
        let a = try #require(before.stations.indices.first { $0 != k && before.stations[$0].count >= 2 })
        let atA = fx.bikes.within(lon: Self.stations[a].lon, lat: Self.stations[a].lat, radius: 30, limit: 1).bikes
        let mover = try #require(atA.first)
        let b = try #require(Self.stations.indices.first { i in
            i != a && i != k && Self.stations[0..<Self.stations.count].allSatisfy { j in j.id == Self.stations[i].id
                || TestSupport.metres((j.lon, j.lat), (Self.stations[i].lon, Self.stations[i].lat)) > 250 }
        })
        var moves: [String: (Double, Double, Bool)] = [mover.bikeID: (Self.stations[b].lon, Self.stations[b].lat, true)]
        var lines = [Self.report(mover.bikeID, Self.stations[b].lon, Self.stations[b].lat, -10)]
        for i in 0..<need {
            let (lon, lat) = (target.lon + 0.00001 * Double(i), target.lat)
            lines.append(Self.report("FILL-\(i)", lon, lat, -10))
            moves["FILL-\(i)"] = (lon, lat, true)
        }
        // A riding bike at the target counts for nothing.
        lines.append(Self.report("RIDER", target.lon, target.lat, -10, status: "riding"))
        moves["RIDER"] = (target.lon, target.lat, false)
        let cursor = fx.feed.latestID
        let body = lines.joined(separator: "\n"), sent = lines.count, moved = moves
        try await fx.app().test(.router) { client in
            let r = try await fx.post(client, body)
            #expect(r["applied"] == .number(Double(sent)))
            try await client.execute(uri: "/v1/bikes/balance", method: .get) { r in
                let v = try SampleFixture.json(r)
                let list = try #require(v["stations"]?.arrayValue)
                #expect(list.count == Self.stations.count && v["window_minutes"] == .number(15))
                let t = list[k]
                #expect(t["station_id"] == .string(target.id) && t["status"] == .string("ok"))
                #expect(t["count"] == .number(Double(Self.bruteCount(target, moves: moved))))
                #expect(t["activity"]?["arrivals"] == .number(Double(need)))
                #expect(list[a]["activity"]?["departures"] == .number(1) && list[b]["activity"]?["arrivals"] == .number(1))
                #expect(list[b]["activity"]?["change"] == .number(1))
            }
        }
        // Counts against brute force: the stations touched and every 40th other one.
        let after = try fx.bikes.balance()
        for i in Set([k, a, b] + Array(stride(from: 0, to: Self.stations.count, by: 40))) {
            #expect(after.stations[i].count == Self.bruteCount(Self.stations[i], moves: moves), "station \(Self.stations[i].id)")
        }
        // Another radius is counted from the grid, the same way.
        let wide = try fx.bikes.balance(radius: 250)
        #expect(wide.stations[k].count >= after.stations[k].count && wide.radius == 250)
        // Up to the route's 5 km, against brute force (whole cells counted at once).
        for radius in [250.0, 4_999] {
            let other = try fx.bikes.balance(radius: radius)
            for i in Set([k, a, b] + Array(stride(from: 7, to: Self.stations.count, by: 500))) {
                #expect(other.stations[i].count == Self.bruteCount(Self.stations[i], moves: moves, radius: radius), "station \(Self.stations[i].id) at \(radius) m")
            }
        }
        // The window moves on: this window's activity becomes the previous one's.
        fx.clock.advance(by: 15 * 60)
        let later = try fx.bikes.balance()
        #expect(later.stations[a].departures == 0 && later.stations[a].previousDepartures == 1 && later.stations[a].activityChange == -1)
        // The stream carried the target's change of status.
        guard case .messages(let messages) = fx.feed.read(after: cursor, limit: 10_000) else { Issue.record("gap in the stream"); return }
        let changes = messages.filter { $0.name == "bikes.station" }
        let msg = try #require(changes.first { $0.data.contains("\"station_id\":\"\(target.id)\"") })
        let data = try JSONParser.parse(msg.data)
        #expect(data["status"] == .string("ok") && data["previous"] == .string("deficit") && msg.topic == .bikes)
        // Exactly the stations whose status changed, each once.
        let changed = Set(after.stations.indices.filter { after.stations[$0].status != before.stations[$0].status }.map { Self.stations[$0].id })
        #expect(Set(changes.compactMap { try? JSONParser.parse($0.data)["station_id"]?.stringValue }) == changed)
        #expect(changes.count == changed.count)
    }

    /// The sample's streets (街道) as drawn in GeoData: code and outer rings.
    static let streets: [(code: String, rings: [[Coordinate]])] = {
        let v = try! JSONParser.parse(String(contentsOfFile: TestSupport.projectRoot + "/GeoData/streets.geojson", encoding: .utf8))
        var out: [(code: String, rings: [[Coordinate]])] = []
        for f in v["features"]?.arrayValue ?? [] {
            let g = f["geometry"]!
            let polygons: [JSONValue] = g["type"] == .string("Polygon") ? [g["coordinates"]!] : (g["coordinates"]?.arrayValue ?? [])
            var rings: [[Coordinate]] = []
            for p in polygons {
                let outer: [JSONValue] = p.arrayValue?.first?.arrayValue ?? []
                rings.append(outer.map { c -> Coordinate in Coordinate(c.arrayValue![0].doubleValue!, c.arrayValue![1].doubleValue!) })
            }
            out.append((f["properties"]?["code"]?.stringValue ?? "", rings))
        }
        return out
    }()

    @Test func balanceOfOneAreaHasExactlyItsStationsAndBikes() async throws {
        let fx = try await Fixture("balance-area")
        let whole = try fx.bikes.balance()
        let byID = Dictionary(uniqueKeysWithValues: whole.stations.map { ($0.stationID, $0) })
        #expect(Self.streets.count >= 3)
        var seen = 0, bikes = 0
        for street in Self.streets {
            // Brute force: ray casting on the GeoJSON rings, not the server's polygon index.
            func inside(_ lon: Double, _ lat: Double) -> Bool { street.rings.contains { Ring.contains($0, Coordinate(lon, lat)) } }
            let part = try fx.bikes.balance(selection: StationSelection(area: (.street, street.code)))
            let expected = Self.stations.filter { inside($0.lon, $0.lat) }.map(\.id)
            #expect(part.stations.map(\.stationID) == expected, "street \(street.code)")
            for st in part.stations { #expect(st.count == byID[st.stationID]?.count, "station \(st.stationID)") }
            #expect(part.bikes == Self.sampleBikes.filter { inside($0.lon, $0.lat) }.count, "street \(street.code)")
            // Another radius counts bikes beyond the street's box too, as the whole city's balance does.
            let wide = try fx.bikes.balance(radius: 400, selection: StationSelection(area: (.street, street.code)))
            let wholeWide = Dictionary(uniqueKeysWithValues: try fx.bikes.balance(radius: 400).stations.map { ($0.stationID, $0.count) })
            #expect(wide.stations.map(\.stationID) == expected)
            for st in wide.stations { #expect(st.count == wholeWide[st.stationID], "station \(st.stationID) at 400 m") }
            seen += part.stations.count
            bikes += part.bikes
        }
        // The streets do not overlap: each station and parked bike inside one of them is counted once.
        func inAnyStreet(_ lon: Double, _ lat: Double) -> Bool { Self.streets.contains { $0.rings.contains { Ring.contains($0, Coordinate(lon, lat)) } } }
        #expect(seen == Self.stations.filter { inAnyStreet($0.lon, $0.lat) }.count && seen > whole.stations.count / 2)
        #expect(bikes == Self.sampleBikes.filter { inAnyStreet($0.lon, $0.lat) }.count)

        // A box: the stations whose centre lies in it.
        let s0 = Self.stations[0]
        let box = BoundingBox(minX: s0.lon - 0.01, minY: s0.lat - 0.01, maxX: s0.lon + 0.01, maxY: s0.lat + 0.01)
        let boxed = try fx.bikes.balance(selection: StationSelection(bbox: box))
        #expect(boxed.stations.map(\.stationID) == Self.stations.filter { box.contains(Coordinate($0.lon, $0.lat)) }.map(\.id))
        #expect(boxed.bikes == Self.sampleBikes.filter { box.contains(Coordinate($0.lon, $0.lat)) }.count)

        let code = Self.streets[1].code
        try await fx.app().test(.router) { client in
            try await client.execute(uri: "/v1/bikes/balance?street=\(code)", method: .get) { r in
                #expect(r.status == .ok)
                let list = try #require(try SampleFixture.json(r)["stations"]?.arrayValue)
                let direct = try fx.bikes.balance(selection: StationSelection(area: (.street, code)))
                #expect(list.map { $0["station_id"]?.stringValue ?? "" } == direct.stations.map(\.stationID) && !list.isEmpty)
            }
            try await client.execute(uri: "/v1/bikes/balance?district=000000", method: .get) { r in
                #expect(r.status == .notFound && String(buffer: r.body).contains("000000"))
            }
            try await client.execute(uri: "/v1/bikes/balance?district=1&street=2", method: .get) { r in
                #expect(r.status == .badRequest)
            }
            try await client.execute(uri: "/v1/bikes/balance?grid=", method: .get) { r in
                #expect(r.status == .badRequest)
            }
            // A box and an area together: the stations in both.
            let bbox = "\(s0.lon - 0.02),\(s0.lat - 0.02),\(s0.lon + 0.02),\(s0.lat + 0.02)"
            try await client.execute(uri: "/v1/bikes/balance?street=\(code)&bbox=\(bbox)", method: .get) { r in
                #expect(r.status == .ok)
                let list = try #require(try SampleFixture.json(r)["stations"]?.arrayValue)
                let box2 = BoundingBox(minX: s0.lon - 0.02, minY: s0.lat - 0.02, maxX: s0.lon + 0.02, maxY: s0.lat + 0.02)
                let street = try #require(Self.streets.first { $0.code == code })
                let want = Self.stations.filter { st in box2.contains(Coordinate(st.lon, st.lat)) && street.rings.contains { Ring.contains($0, Coordinate(st.lon, st.lat)) } }
                #expect(list.map { $0["station_id"]?.stringValue ?? "" } == want.map(\.id))
            }
        }
    }

    // MARK: item 4 — fences against shapely

    @Test func fenceCountsAndViolationsMatchShapely() async throws {
        let fx = try await Fixture("fences")
        let s0 = Self.stations[0], s1 = Self.stations[1], s10 = Self.stations[10]
        var moves: [String: (Double, Double, Bool)] = [:]
        var lines: [String] = []
        func put(_ id: String, _ lon: Double, _ lat: Double, parked: Bool = true) {
            lines.append(Self.report(id, lon, lat, -5, status: parked ? "parked" : "riding"))
            moves[id] = (lon, lat, parked)
        }
        for i in 0..<5 { put("F0-\(i)", s0.lon + 0.0001 * Double(i), s0.lat + 0.0003) }   // parking F0, outside N0
        for i in 0..<2 { put("N0-\(i)", s0.lon + 0.00005 * Double(i), s0.lat) }           // inside N0 (and F0)
        for i in 0..<2 { put("R1-\(i)", s1.lon, s1.lat + 0.0001 * Double(i), parked: false) } // riding: not counted
        put("N1-0", s10.lon + 0.0003, s10.lat)
        let body = lines.joined(separator: "\n"), moved = moves
        try await fx.app().test(.router) { client in
            _ = try await fx.post(client, body)
            try await client.execute(uri: "/v1/bikes/fences?limit=5", method: .get) { r in
                #expect(r.status == .ok)
                let v = try SampleFixture.json(r)
                var bikes: [[Double]] = []
                for b in Self.sampleBikes where moved[b.id] == nil { bikes.append([b.lon, b.lat]) }
                for (_, m) in moved where m.2 { bikes.append([m.0, m.1]) }
                let points = JSONWriter.string(.array(bikes.map { .array($0.map { .number($0) }) }))
                let script = """
                import json, sys
                from shapely.geometry import shape, Point
                from shapely import STRtree
                data = json.load(sys.stdin)
                fences = [(f["properties"]["kind"], shape(f["geometry"])) for f in data["fences"]["features"]]
                pts = [Point(x, y) for x, y in data["points"]]
                tree = STRtree(pts)
                counts = [len([i for i in tree.query(g) if g.contains(pts[i])]) for _, g in fences]
                parking = [g for k, g in fences if k == "parking"]
                nopark = [g for k, g in fences if k == "no_parking"]
                inside = lambda p, gs: any(g.contains(p) for g in gs)
                print(json.dumps({"counts": counts,
                                  "no_parking": sum(1 for p in pts if inside(p, nopark)),
                                  "outside": sum(1 for p in pts if not inside(p, parking))}))
                """
                let input = "{\"fences\":\(Self.fences),\"points\":\(points)}"
                let expected = try JSONParser.parse(try TestSupport.python(script, input: input))
                let fences = try #require(v["fences"]?.arrayValue)
                #expect(fences.map { $0["count"] } == expected["counts"]?.arrayValue)
                #expect(v["no_parking"]?["count"] == expected["no_parking"] && v["outside_parking"]?["count"] == expected["outside"])
                // Over capacity: F0 holds 7 parked bikes (plus any of the sample) against 3.
                #expect(fences[0]["fence_id"] == .string("F0") && fences[0]["over_capacity"] == .bool(true))
                let listed = try #require(v["no_parking"]?["bikes"]?.arrayValue)
                #expect(listed.count == min(5, Int(v["no_parking"]?["count"]?.doubleValue ?? 0)))
                #expect(listed.allSatisfy { $0["fence"] != nil && $0["status"] == .string("parked") })
                #expect(v["outside_parking"]?["bikes"]?.arrayValue?.count == 5)
            }
        }
    }

    // MARK: item 5 — tiles follow the bikes

    @Test func movedBikeInvalidatesOnlyTheTilesItTouches() async throws {
        let fx = try await Fixture("tiles")
        let snapshot = fx.state.snapshot
        let bike = Self.sampleBikes[100]
        let (toLon, toLat) = (bike.lon + 0.02, bike.lat - 0.015)
        let far = try #require(Self.sampleBikes.first { TestSupport.metres(($0.lon, $0.lat), (bike.lon, bike.lat)) > 8000
            && TestSupport.metres(($0.lon, $0.lat), (toLon, toLat)) > 8000 })
        func tile(_ lon: Double, _ lat: Double, _ z: Int) -> TileID {
            let r = WebMercator.tileRange(BoundingBox(minX: lon, minY: lat, maxX: lon, maxY: lat), z: z)
            return TileID(z: z, x: r.minX, y: r.minY)
        }
        let source = try fx.tiles.source("bikes", in: snapshot)
        var tiles: [(TileID, Bool)] = []
        for z in [12, 16] {
            tiles += [(tile(bike.lon, bike.lat, z), true), (tile(toLon, toLat, z), true), (tile(far.lon, far.lat, z), false)]
        }
        for (t, _) in tiles { _ = try fx.tiles.tile(source, t, snapshot: snapshot, cacheAs: "bikes") }
        for (t, _) in tiles { #expect(fx.tiles.cached("bikes", t, snapshot: snapshot) != nil) }
        _ = try await fx.bikes.ingest(bytes: Array(Self.report(bike.id, toLon, toLat, -1).utf8))
        for (t, touched) in tiles {
            #expect((fx.tiles.cached("bikes", t, snapshot: snapshot) == nil) == touched, "tile \(t)")
        }
        // The new tiles show the bike where it went (z16) and no longer where it was.
        func ids(_ t: TileID) throws -> [String] {
            guard let body = try fx.tiles.tile(source, t, snapshot: snapshot, cacheAs: "bikes")?.body else { return [] }
            let mvt = try MVTTile(decoding: body)
            return mvt.layers.flatMap { l in
                l.features.compactMap { f -> String? in
                    let k = l.keys.firstIndex(of: "bike_id").map(UInt32.init)
                    guard let k, let i = stride(from: 0, to: f.tags.count, by: 2).first(where: { f.tags[$0] == k }) else { return nil }
                    if case .string(let s) = l.values[Int(f.tags[i + 1])] { return s }
                    return nil
                }
            }
        }
        #expect(try ids(tile(toLon, toLat, 16)).contains(bike.id))
        #expect(try !ids(tile(bike.lon, bike.lat, 16)).contains(bike.id))
        // Over HTTP, the route serves the new tile.
        let t = tile(toLon, toLat, 16)
        try await fx.app().test(.router) { client in
            try await client.execute(uri: "/tiles/bikes/16/\(t.x)/\(t.y).mvt", method: .get) { r in
                #expect(r.status == .ok)
                let mvt = try MVTTile(decoding: [UInt8](buffer: r.body))
                #expect(mvt.layers.first?.values.contains(.string(bike.id)) == true)
            }
        }
    }

    /// A move invalidates exactly the tiles whose area grown by 128/4096 (clip buffer and cluster cell) holds the
    /// old or the new position, checked over the 3×3 tiles around both at z16 and at a clustered zoom (z13),
    /// with the new position 10/4096 of a tile inside its z16 tile's east edge (the east neighbour only by its buffer).
    @Test func aMoveNearATileEdgeInvalidatesTheBufferedNeighbourOnly() async throws {
        let fx = try await Fixture("tiles-edge")
        let snapshot = fx.state.snapshot
        let bike = Self.sampleBikes[200]
        let source = try fx.tiles.source("bikes", in: snapshot)
        let n16 = Double(1 << 16)
        let (ex, ey) = (Int(WebMercator.worldX(lon: bike.lon + 0.03) * n16), Int(WebMercator.worldY(lat: bike.lat) * n16))
        let destination = (WebMercator.lon(worldX: (Double(ex + 1) - 10.0 / 4096) / n16), WebMercator.lat(worldY: (Double(ey) + 0.5) / n16))
        /// Whether the tile grown by 128/4096 of its width holds the point (brute force in world coordinates).
        func touches(_ t: TileID, _ p: (Double, Double)) -> Bool {
            let n = Double(1 << t.z), b = 128.0 / 4096
            let x = WebMercator.worldX(lon: p.0) * n - Double(t.x), y = WebMercator.worldY(lat: p.1) * n - Double(t.y)
            return x >= -b && x <= 1 + b && y >= -b && y <= 1 + b
        }
        var tiles: [TileID] = []
        for z in [16, 13] {
            let n = Double(1 << z)
            for p in [(bike.lon, bike.lat), destination] {
                let (cx, cy) = (Int(WebMercator.worldX(lon: p.0) * n), Int(WebMercator.worldY(lat: p.1) * n))
                for dx in -1...1 { for dy in -1...1 where !tiles.contains(TileID(z: z, x: cx + dx, y: cy + dy)) { tiles.append(TileID(z: z, x: cx + dx, y: cy + dy)) } }
            }
        }
        let checks = tiles.map { ($0, touches($0, (bike.lon, bike.lat)) || touches($0, destination)) }
        let eastNeighbour = TileID(z: 16, x: ex + 1, y: ey)
        #expect(checks.contains { $0.0 == eastNeighbour && $0.1 } && !touches(eastNeighbour, (bike.lon, bike.lat)))
        #expect(checks.filter { !$0.1 }.count >= 10, "\(checks)")
        for (t, _) in checks { _ = try fx.tiles.tile(source, t, snapshot: snapshot, cacheAs: "bikes") }
        for (t, _) in checks { #expect(fx.tiles.cached("bikes", t, snapshot: snapshot) != nil, "tile \(t) not cached") }
        _ = try await fx.bikes.ingest(bytes: Array(Self.report(bike.id, destination.0, destination.1, -1).utf8))
        for (t, touched) in checks {
            #expect((fx.tiles.cached("bikes", t, snapshot: snapshot) == nil) == touched, "tile \(t) touched: \(touched)")
        }
        // The east neighbour, made again, carries the bike in its buffer.
        let body = try #require(try fx.tiles.tile(source, eastNeighbour, snapshot: snapshot, cacheAs: "bikes")?.body)
        #expect(try MVTTile(decoding: body).layers.first?.values.contains(.string(bike.id)) == true)
    }

    /// Station tiles carry each station's live count and status (the styles label stations with it); a batch
    /// that changes a station's count makes its tiles again, and a far station's cached tile stays.
    @Test func stationTilesCarryLiveCountsAndFollowThem() async throws {
        let fx = try await Fixture("station-tiles")
        let snapshot = fx.state.snapshot
        let source = try fx.tiles.source("bike_stations", in: snapshot)
        let (k, far) = (5, Self.stations.indices.first { TestSupport.metres((Self.stations[$0].lon, Self.stations[$0].lat), (Self.stations[5].lon, Self.stations[5].lat)) > 8000 }!)
        func tile(_ i: Int) -> TileID {
            let r = WebMercator.tileRange(BoundingBox(minX: Self.stations[i].lon, minY: Self.stations[i].lat, maxX: Self.stations[i].lon, maxY: Self.stations[i].lat), z: 17)
            return TileID(z: 17, x: r.minX, y: r.minY)
        }
        /// station_id → (count, status) as the tile shows them.
        func shown(_ t: TileID) throws -> [String: (Double, String)] {
            guard let body = try fx.tiles.tile(source, t, snapshot: snapshot, cacheAs: "bike_stations")?.body else { return [:] }
            var out: [String: (Double, String)] = [:]
            for l in try MVTTile(decoding: body).layers {
                for f in l.features {
                    var p: [String: MVTValue] = [:]
                    for j in stride(from: 0, to: f.tags.count, by: 2) { p[l.keys[Int(f.tags[j])]] = l.values[Int(f.tags[j + 1])] }
                    guard case .string(let id) = p["station_id"], case .string(let st) = p["status"] else { continue }
                    let n: Double
                    switch p["count"] {
                    case .int(let v): n = Double(v)
                    case .uint(let v): n = Double(v)
                    case .sint(let v): n = Double(v)
                    case .double(let v): n = v
                    case .float(let v): n = Double(v)
                    default: continue
                    }
                    out[id] = (n, st)
                }
            }
            return out
        }
        let before = try fx.bikes.balance()
        let first = try shown(tile(k))
        #expect(first[Self.stations[k].id]?.0 == Double(before.stations[k].count) && first[Self.stations[k].id]?.1 == before.stations[k].status.name)
        _ = try shown(tile(far))
        #expect(fx.tiles.cached("bike_stations", tile(k), snapshot: snapshot) != nil && fx.tiles.cached("bike_stations", tile(far), snapshot: snapshot) != nil)
        let st = Self.stations[k]
        let extra = st.capacity + 2
        _ = try await fx.bikes.ingest(bytes: Array((0..<extra).map { Self.report("ST-\($0)", st.lon + 0.00001 * Double($0), st.lat, -5) }.joined(separator: "\n").utf8))
        let after = try fx.bikes.balance()
        #expect(after.stations[k].count == before.stations[k].count + extra)
        #expect(fx.tiles.cached("bike_stations", tile(k), snapshot: snapshot) == nil)
        #expect(fx.tiles.cached("bike_stations", tile(far), snapshot: snapshot) != nil)
        let again = try shown(tile(k))
        #expect(again[st.id]?.0 == Double(after.stations[k].count) && again[st.id]?.1 == after.stations[k].status.name, "\(again[st.id] ?? (-1, ""))")
        // Over HTTP, the composite tile of the dispatch style carries it too.
        let t = tile(k)
        try await fx.app().test(.router) { client in
            try await client.execute(uri: "/tiles/bike_stations/17/\(t.x)/\(t.y).mvt", method: .get) { r in
                #expect(r.status == .ok)
                let l = try #require(try MVTTile(decoding: [UInt8](buffer: r.body)).layers.first)
                #expect(l.keys.contains("count") && l.keys.contains("status"))
            }
        }
    }

    @Test func noParkingViolationsRaiseOneEventPerFenceAndWindow() async throws {
        var settings = LiveBikeSettings()
        settings.fenceEventWindowMinutes = 30
        let fx = try await Fixture("fence-events", settings: settings)
        let hub = try await SampleFixture.makeHub(for: fx.state, name: "bike-fence-events", clock: fx.clock)
        fx.bikes.raiseNoParkingEvents(into: hub, type: "共享单车违停", geocoding: SampleFixture.geocoding, floodWarningRatio: 0.7)
        let s0 = Self.stations[0], s10 = Self.stations[10]
        let before = try await hub.store.eventCount()
        // Two bikes into N0 and one into N1 in one batch: one event per fence.
        _ = try await fx.bikes.ingest(bytes: Array([Self.report("V1", s0.lon, s0.lat, -5), Self.report("V2", s0.lon + 0.00005, s0.lat, -5),
                                                     Self.report("V3", s10.lon + 0.0003, s10.lat, -5),
                                                     Self.report("V9", s10.lon, s10.lat, -5, status: "riding")].joined(separator: "\n").utf8))
        #expect(try await hub.store.eventCount() == before + 2)
        let raised = try await hub.list(EventFilter(types: ["共享单车违停"]), after: nil, limit: 10)
        #expect(raised.count == 2 && raised.allSatisfy { $0.description.contains("禁停区 N0") || $0.description.contains("禁停区 N1") })
        // Another bike into N0 within the window: suppressed; after the window: raised again.
        fx.clock.advance(by: 60)
        _ = try await fx.bikes.ingest(bytes: Array(Self.report("V4", s0.lon - 0.00005, s0.lat, 55).utf8))
        #expect(try await hub.store.eventCount() == before + 2)
        fx.clock.advance(by: 30 * 60)
        _ = try await fx.bikes.ingest(bytes: Array(Self.report("V5", s0.lon, s0.lat + 0.00005, 1900).utf8))
        #expect(try await hub.store.eventCount() == before + 3)
        // A bike moving inside the fence it already stood in is not a new violation.
        fx.clock.advance(by: 31 * 60)
        _ = try await fx.bikes.ingest(bytes: Array(Self.report("V5", s0.lon, s0.lat + 0.00006, 3800).utf8))
        #expect(try await hub.store.eventCount() == before + 3)
    }
    @Test func outsideParkingViolationsRaiseOnePerCellWithinTheCityCap() async throws {
        var settings = LiveBikeSettings()
        settings.fenceEventWindowMinutes = 30
        settings.outsideParkingEventsPerWindow = 3
        let fx = try await Fixture("outside-events", settings: settings)
        let hub = try await SampleFixture.makeHub(for: fx.state, name: "bike-outside-events", clock: fx.clock)
        fx.bikes.raiseFenceEvents(into: hub, noParkingType: nil, outsideParkingType: "共享单车违停", geocoding: SampleFixture.geocoding,
                                  floodWarningRatio: 0.7)
        // Brute force: the parking fences are the squares of half-side 0.0006° around the first ten stations.
        let squares = Self.stations.prefix(10).map { ($0.lon, $0.lat) }
        func outside(_ p: (Double, Double)) -> Bool { !squares.contains { abs(p.0 - $0.0) <= 0.0006 && abs(p.1 - $0.1) <= 0.0006 } }
        var spots: [(Double, Double)] = []
        for st in Self.stations.dropFirst(11) where spots.count < 4 {
            let p = (st.lon + 0.0003, st.lat + 0.0003)
            if outside(p) && spots.allSatisfy({ TestSupport.metres($0, p) > 1_000 }) { spots.append(p) }
        }
        #expect(spots.count == 4)
        let s1 = Self.stations[1]
        let reports: [(id: String, at: (Double, Double), parked: Bool)] = [
            ("O1a", spots[0], true), ("O1b", (spots[0].0 + 0.00001, spots[0].1), true), ("IN1", (s1.lon, s1.lat), true),
            ("O2", spots[1], true), ("RIDE", spots[3], false), ("O3", spots[2], true), ("O4", spots[3], true),
        ]
        // The parked bikes outside every parking fence, by brute force; one event per cell (1 m apart: one cell;
        // spots over 1 km apart: one each), the first three cells only (the city-wide cap).
        let violators = reports.filter { $0.parked && outside($0.at) }.map(\.id)
        #expect(violators == ["O1a", "O1b", "O2", "O3", "O4"])
        let before = try await hub.store.eventCount()
        _ = try await fx.bikes.ingest(bytes: Array(reports.map {
            Self.report($0.id, $0.at.0, $0.at.1, -5, status: $0.parked ? "parked" : "riding")
        }.joined(separator: "\n").utf8))
        let raised = try await hub.list(EventFilter(types: ["共享单车违停"]), after: nil, limit: 10)
        #expect(Set(raised.map { $0.description }) == Set(["O1a", "O2", "O3"].map { "共享单车 \($0) 停放在停放区外（违停）" }))
        #expect(try await hub.store.eventCount() == before + 3)
        // Within the window: a raised cell is suppressed, and so is a new one (the cap is reached).
        fx.clock.advance(by: 60)
        _ = try await fx.bikes.ingest(bytes: Array([Self.report("O1c", spots[0].0, spots[0].1 + 0.00001, 55),
                                                     Self.report("O4b", spots[3].0 + 0.00001, spots[3].1, 55)].joined(separator: "\n").utf8))
        #expect(try await hub.store.eventCount() == before + 3)
        // After the window: a bike leaving its parking fence raises; one moving about outside does not.
        fx.clock.advance(by: 30 * 60)
        _ = try await fx.bikes.ingest(bytes: Array([Self.report("IN1", spots[1].0, spots[1].1 + 0.00001, 1900),
                                                     Self.report("O3", spots[2].0 + 0.0001, spots[2].1, 1900)].joined(separator: "\n").utf8))
        #expect(try await hub.store.eventCount() == before + 4)
        let last = try await hub.list(EventFilter(types: ["共享单车违停"]), after: nil, limit: 10)
        #expect(last.contains { $0.description.contains("IN1") } && !last.contains { $0.description.contains("O4b") || $0.description.contains("O1c") })
        // Off by default: no-parking events alone never raise outside-parking ones.
        let quiet = try await Fixture("outside-off", settings: settings)
        let hub2 = try await SampleFixture.makeHub(for: quiet.state, name: "bike-outside-off", clock: quiet.clock)
        quiet.bikes.raiseNoParkingEvents(into: hub2, type: "共享单车违停", geocoding: SampleFixture.geocoding, floodWarningRatio: 0.7)
        let n2 = try await hub2.store.eventCount()
        _ = try await quiet.bikes.ingest(bytes: Array(Self.report("O9", spots[0].0, spots[0].1, -5).utf8))
        #expect(try await hub2.store.eventCount() == n2)
    }
}
