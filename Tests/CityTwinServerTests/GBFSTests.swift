import CityOps
import CityTwinServer
import Foundation
import Geo
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import TestSupport
import Testing

/// GBFS feeds written here from the specification's fields (v2.3 and v3.0), read
/// from a folder and from a local HTTP server; invalid files; and the export at
/// /gbfs checked by the PyPI gbfs-validator.
@Suite(.serialized) struct GBFSTests {
    static func write(_ files: [String: String], to dir: String) {
        for (name, text) in files { TestSupport.write(text, to: dir + "/" + name + ".json") }
    }

    /// Two of the sample's stations and vehicles near them; `base` prefixes feed URLs.
    static func feed(v3: Bool, base: String, brokenStatus: Bool = false) -> [String: String] {
        let s = LiveBikeTests.stations
        let (a, b) = (s[0], s[1])
        let t0 = LiveBikeTests.start.timeIntervalSince1970 - 60
        func time(_ d: Double) -> String { v3 ? "\"\(Timestamp.string(Date(timeIntervalSince1970: t0 + d)))\"" : "\(Int(t0 + d))" }
        func frame(_ data: String) -> String { "{\"last_updated\":\(time(0)),\"ttl\":\(v3 ? 30 : 60),\"version\":\"\(v3 ? "3.0" : "2.3")\",\"data\":\(data)}" }
        let names = ["system_information", "station_information", "station_status", v3 ? "vehicle_status" : "free_bike_status"]
        let feeds = "[" + names.map { "{\"name\":\"\($0)\",\"url\":\"\(base)/\($0).json\"}" }.joined(separator: ",") + "]"
        let name = { (n: String) in v3 ? "[{\"text\":\"\(n)\",\"language\":\"zh\"}]" : "\"\(n)\"" }
        let list = v3 ? "vehicles" : "bikes", idKey = v3 ? "vehicle_id" : "bike_id"
        let vehicles = [
            "{\"\(idKey)\":\"G1\",\"lat\":\(a.lat + 0.0002),\"lon\":\(a.lon),\"is_reserved\":false,\"is_disabled\":false,\"last_reported\":\(time(10))}",
            "{\"\(idKey)\":\"G2\",\"lat\":\(b.lat),\"lon\":\(b.lon + 0.0002),\"is_reserved\":false,\"is_disabled\":true}",
            "{\"\(idKey)\":\"G3\",\"station_id\":\"\(b.id)\",\"is_reserved\":false,\"is_disabled\":false}",
            "{\"\(idKey)\":\"G4\",\"lat\":\(a.lat),\"lon\":\(a.lon),\"is_reserved\":false}",
            "{\"\(idKey)\":\"G5\",\"lat\":10.0,\"lon\":10.0,\"is_reserved\":false,\"is_disabled\":false}",
        ]
        let available = v3 ? "num_vehicles_available" : "num_bikes_available"
        let statusB = brokenStatus ? "{\"station_id\":\"\(b.id)\",\"is_installed\":true}"
            : "{\"station_id\":\"\(b.id)\",\"\(available)\":2,\"num_docks_available\":9,\"is_installed\":true,\"is_renting\":true,\"is_returning\":true,\"last_reported\":\(time(0))}"
        return [
            "gbfs": frame(v3 ? "{\"feeds\":\(feeds)}" : "{\"en\":{\"feeds\":\(feeds)}}"),
            "system_information": frame("{\"system_id\":\"op-\(v3 ? 3 : 2)\",\"languages\":[\"zh\"],\"name\":\(name("测试"))," +
                                        "\"timezone\":\"Asia/Shanghai\",\"opening_hours\":\"24/7\",\"feed_contact_email\":\"a@b.c\"}"),
            "station_information": frame("{\"stations\":[" + [a, b].map {
                "{\"station_id\":\"\($0.id)\",\"name\":\(name($0.id)),\"lat\":\($0.lat),\"lon\":\($0.lon),\"capacity\":\($0.capacity)}"
            }.joined(separator: ",") + "]}"),
            "station_status": frame("{\"stations\":[{\"station_id\":\"\(a.id)\",\"\(available)\":1,\"num_docks_available\":5,\"is_installed\":true," +
                                    "\"is_renting\":true,\"is_returning\":true,\"last_reported\":\(time(0))},\(statusB)]}"),
            v3 ? "vehicle_status" : "free_bike_status": frame("{\"\(list)\":[" + vehicles.joined(separator: ",") + "]}"),
        ]
    }

    @Test func version23FromAFolder() async throws {
        let fx = try await LiveBikeTests.Fixture("gbfs23")
        let dir = TestSupport.scratch("gbfs23")
        Self.write(Self.feed(v3: false, base: "https://example.invalid/gbfs"), to: dir)
        let r = try await GBFSReader(fetch: { try await gbfsFetch($0) }).pull(dir, into: fx.bikes)
        #expect(r.version == "2.3" && r.systemID == "op-2" && r.ttl == 60)
        #expect(r.stations.map(\.vehiclesAvailable) == [1, 2] && r.stations.map(\.docksAvailable) == [5, 9])
        #expect(r.vehicles?.applied == 3)
        #expect(r.problems.map(\.description).contains("free_bike_status.json: data.bikes[3].is_disabled: missing or not a boolean"))
        #expect(r.problems.contains { $0.field == "data.bikes[4]" && $0.message.contains("outside the city's area") })
        // G3 had only a station: it stands at that station; G2 is disabled; operator is the system id.
        let g3 = try #require(fx.bikes.bike(id: "G3"))
        #expect(TestSupport.metres((g3.position.x, g3.position.y), (LiveBikeTests.stations[1].lon, LiveBikeTests.stations[1].lat)) < 0.01)
        #expect(fx.bikes.bike(id: "G2")?.status == .disabled && g3.operatorName == "op-2")
        #expect(fx.bikes.bike(id: "G1")?.observedAt == Int64(LiveBikeTests.start.timeIntervalSince1970 - 50) * 1000)
    }

    @Test func stationStatusCountsJoinTheBalanceBesideTheLiveCount() async throws {
        let fx = try await LiveBikeTests.Fixture("gbfs-balance")
        let dir = TestSupport.scratch("gbfs-balance")
        Self.write(Self.feed(v3: false, base: "https://example.invalid/gbfs"), to: dir)
        _ = try await GBFSReader(fetch: { try await gbfsFetch($0) }).pull(dir, into: fx.bikes)
        let s = LiveBikeTests.stations
        // The feed's vehicles moved the live picture: G1 parked at a, G3 parked at b, G2 disabled (not counted).
        let moves: [String: (Double, Double, Bool)] = ["G1": (s[0].lon, s[0].lat + 0.0002, true), "G2": (s[1].lon + 0.0002, s[1].lat, false),
                                                       "G3": (s[1].lon, s[1].lat, true)]
        let reportedAt = Timestamp.millis(Date(timeIntervalSince1970: LiveBikeTests.start.timeIntervalSince1970 - 60))
        try await fx.app().test(.router) { client in
            try await client.execute(uri: "/v1/bikes/balance", method: .get) { r in
                let list = try #require(try SampleFixture.json(r)["stations"]?.arrayValue)
                for (k, expected) in [(0, (1.0, 5.0)), (1, (2.0, 9.0))] {
                    #expect(list[k]["station_id"] == .string(s[k].id))
                    #expect(list[k]["reported_available"] == .number(expected.0) && list[k]["reported_docks"] == .number(expected.1))
                    #expect(list[k]["reported_at"] == .string(reportedAt))
                    // The live count stays the positions' count, by brute force.
                    #expect(list[k]["count"] == .number(Double(LiveBikeTests.bruteCount(s[k], moves: moves))))
                }
                #expect(list[2]["reported_available"] == nil && list[2]["reported_at"] == nil)
            }
        }
        // A newer pull replaces the counts; an older one does not.
        var newer = GBFSStation(stationID: s[0].id, name: "", lon: s[0].lon, lat: s[0].lat)
        newer.vehiclesAvailable = 7
        newer.reportedAt = LiveBikeTests.start
        var older = newer
        older.vehiclesAvailable = 0
        older.reportedAt = LiveBikeTests.start.addingTimeInterval(-3600)
        fx.bikes.recordStationStatus([newer])
        fx.bikes.recordStationStatus([older])
        #expect(try fx.bikes.balance().stations[0].reported?.vehiclesAvailable == 7)
        // Counts older than the expiry are not shown.
        fx.clock.advance(by: 7 * 3600)
        #expect(try fx.bikes.balance().stations[0].reported == nil)
    }

    @Test func version30FromAnHTTPServerWithAnInvalidFile() async throws {
        let fx = try await LiveBikeTests.Fixture("gbfs30")
        let dir = TestSupport.scratch("gbfs30")
        let port = Int.random(in: 20_000..<40_000)
        Self.write(Self.feed(v3: true, base: "http://127.0.0.1:\(port)", brokenStatus: true), to: dir)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: TestSupport.python)
        server.arguments = ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", dir]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        // SIGKILL: the child inherits the test runner's blocked signals, so SIGTERM would be ignored.
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        var up = false
        for _ in 0..<100 where !up {
            up = (try? await gbfsFetch("http://127.0.0.1:\(port)/gbfs.json")) != nil
            if !up { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(up)
        let r = try await GBFSReader(fetch: { try await gbfsFetch($0) }).pull("http://127.0.0.1:\(port)/gbfs.json", into: fx.bikes)
        #expect(r.version == "3.0" && r.systemID == "op-3" && r.ttl == 30)
        #expect(r.problems.map(\.description).contains("station_status.json: data.stations[1].num_vehicles_available: missing or negative"))
        #expect(r.stations.map(\.vehiclesAvailable) == [1, nil])
        #expect(r.vehicles?.applied == 3 && fx.bikes.bike(id: "G1") != nil)
        // RFC 3339 last_reported is the observation time.
        #expect(fx.bikes.bike(id: "G1")?.observedAt == Int64(LiveBikeTests.start.timeIntervalSince1970 - 50) * 1000)
        // An unreachable feed is one clear error.
        await #expect(throws: CityOpsError.self) { try await GBFSReader(fetch: { try await gbfsFetch($0) }).pull("http://127.0.0.1:\(port)/none.json", into: fx.bikes) }
    }

    /// `bikes.gbfs_feeds`: each feed is pulled again after its own `ttl` (never sooner than a second).
    @Test func configuredPullFollowsEachFeedsTTL() async throws {
        let fx = try await LiveBikeTests.Fixture("gbfs-periodic")
        func files(ttl: Int, host: String) -> [String: [UInt8]] {
            var out: [String: [UInt8]] = [:]
            for (name, text) in Self.feed(v3: true, base: "http://\(host)") {
                out["http://\(host)/\(name).json"] = Array(text.replacingOccurrences(of: "\"ttl\":30", with: "\"ttl\":\(ttl)").utf8)
            }
            return out
        }
        let served = files(ttl: 1, host: "fast.test").merging(files(ttl: 30, host: "slow.test")) { a, _ in a }
        let asked = Mutex<[String: Int]>([:])
        let puller = GBFSPuller(bikes: fx.bikes, feeds: ["http://fast.test/gbfs.json", "http://slow.test/gbfs.json"], minimumInterval: 0,
                                logger: Logger(label: "gbfs-puller-test")) { url in
            asked.withLock { $0[url, default: 0] += 1 }
            guard let bytes = served[url] else { throw CityOpsError(.invalidParameter, "no \(url)") }
            return bytes
        }
        let task = Task { try await puller.run() }
        try await Task.sleep(for: .milliseconds(3500))
        task.cancel()
        _ = try? await task.value
        let counts = asked.withLock { $0 }
        // ttl 1: pulled at about 0, 1, 2 and 3 s (fewer on a busy machine, never once only); ttl 30: once.
        #expect((2...5).contains(counts["http://fast.test/gbfs.json"] ?? 0), "\(counts)")
        #expect(counts["http://slow.test/gbfs.json"] == 1, "\(counts)")
        // Each pull reads the feed's files and applies its vehicles.
        #expect(counts["http://fast.test/vehicle_status.json"] == counts["http://fast.test/gbfs.json"], "\(counts)")
        #expect(counts["http://slow.test/station_status.json"] == 1, "\(counts)")
        #expect(fx.bikes.bike(id: "G1")?.operatorName == "op-3")
        // No pull after the puller stopped.
        try await Task.sleep(for: .milliseconds(1200))
        #expect(asked.withLock { $0 } == counts)
    }

    @Test func exportIsValidGBFS30() async throws {
        let fx = try await LiveBikeTests.Fixture("gbfsexport")
        _ = try await fx.bikes.ingest(bytes: Array([LiveBikeTests.report("E1", 104.1, 30.66, -5),
                                                     LiveBikeTests.report("E2", 104.1, 30.661, -5, status: "riding"),
                                                     LiveBikeTests.report("E3", 104.1, 30.662, -5, status: "disabled")].joined(separator: "\n").utf8))
        let dir = TestSupport.scratch("gbfsexport")
        try await fx.app().test(.router) { client in
            for name in ["gbfs"] + LiveBikeService.gbfsFiles {
                try await client.execute(uri: "/gbfs/\(name).json", method: .get) { r in
                    #expect(r.status == .ok)
                    var text = String(buffer: r.body)
                    // The validator follows the listed URLs: point them at the saved files.
                    if name == "gbfs" {
                        let v = try JSONParser.parse(text)
                        for f in v["data"]?["feeds"]?.arrayValue ?? [] {
                            let n = f["name"]?.stringValue ?? ""
                            text = text.replacingOccurrences(of: f["url"]?.stringValue ?? "", with: URL(fileURLWithPath: dir + "/" + n + ".json").absoluteString)
                        }
                    }
                    if name == "vehicle_status" {
                        let v = try JSONParser.parse(text)
                        let ids = Set((v["data"]?["vehicles"]?.arrayValue ?? []).compactMap { $0["vehicle_id"]?.stringValue })
                        #expect(ids.contains("E1") && ids.contains("E3") && !ids.contains("E2"), "riding bikes are not published")
                    }
                    TestSupport.write(text, to: dir + "/" + name + ".json")
                }
            }
            try await client.execute(uri: "/gbfs/nope.json", method: .get) { r in #expect(r.status == .notFound) }
        }
        let report = try TestSupport.python("""
        import json, sys
        from gbfs_validator import validate_feed
        r = validate_feed(\(String(reflecting: URL(fileURLWithPath: dir + "/gbfs.json").absoluteString)))
        errors = [(f.get("file"), (f.get("errors") or [])[:3]) for f in r.get("files", []) if f.get("hasErrors")]
        print(json.dumps({"version": r["summary"]["version"]["detected"], "errors": r["summary"]["errorsCount"], "detail": errors}, default=str))
        """)
        let v = try JSONParser.parse(report)
        #expect(v["version"] == .string("3.0"))
        #expect(v["errors"] == .number(0), "\(report)")
    }
}
