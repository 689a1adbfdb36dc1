import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Geo
import TestSupport
import Testing

/// `citytwin bikes ingest` and `citytwin gbfs pull` as a user runs them.
@Suite struct BikesCLITests {
    @Test func ingestReportsAppliedIgnoredAndRejected() throws {
        let dir = TestSupport.scratch()
        TestSupport.write("""
        {"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"station_id":"S1","capacity":5},"geometry":{"type":"Point","coordinates":[104.10,30.66]}},
        {"type":"Feature","properties":{"station_id":"S2","capacity":5},"geometry":{"type":"Point","coordinates":[104.12,30.67]}}]}
        """, to: dir + "/stations.geojson")
        let db = dir + "/city.sqlite"
        let imported = try TestSupport.run(TestSupport.citytwin, ["import", dir + "/stations.geojson", "--layer", "stations", "--role", "bike_station", "--db", db])
        #expect(imported.status == 0, "\(imported.stderr)")
        // A minute ago: stored positions load again only while not expired.
        let t = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60))
        TestSupport.write("""
        {"bike_id":"A","operator":"x","lon":104.1001,"lat":30.6601,"observed_at":"\(t)"}
        {"bike_id":"B","operator":"x","lon":104.1201,"lat":30.6701,"observed_at":"\(t)","status":"riding"}
        {"bike_id":"C","operator":"x","lon":120.0,"lat":30.66,"observed_at":"\(t)"}
        """, to: dir + "/positions.ndjson")
        let first = try TestSupport.run(TestSupport.citytwin, ["bikes", "ingest", dir + "/positions.ndjson", "--db", db])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("received 3, applied 2, ignored as older 0, rejected 1"))
        #expect(first.stdout.contains("item 2 (C): position (120.0, 30.66) is outside the city's area"))
        // Stored beside the database: the same file again is older than what is stored.
        let again = try TestSupport.run(TestSupport.citytwin, ["bikes", "ingest", dir + "/positions.ndjson", "--db", db])
        #expect(again.stdout.contains("applied 0, ignored as older 2, rejected 1"))
        #expect(FileManager.default.fileExists(atPath: dir + "/city-ops.sqlite"))
        let missing = try TestSupport.run(TestSupport.citytwin, ["bikes", "ingest", dir + "/none.ndjson", "--db", db])
        #expect(missing.status != 0 && missing.stderr.contains("cannot read"))
    }
    /// `citytwin gbfs pull DIR`: a v3.0 feed's vehicles stored beside the database, a faulty item named, the rest applied.
    @Test func gbfsPullFromAFolderAppliesVehiclesAndNamesFaults() throws {
        let dir = TestSupport.scratch()
        TestSupport.write("""
        {"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"station_id":"S1","capacity":5},"geometry":{"type":"Point","coordinates":[104.10,30.66]}}]}
        """, to: dir + "/stations.geojson")
        let db = dir + "/city.sqlite"
        let imported = try TestSupport.run(TestSupport.citytwin, ["import", dir + "/stations.geojson", "--layer", "stations", "--role", "bike_station", "--db", db])
        #expect(imported.status == 0, "\(imported.stderr)")
        let feed = dir + "/feed"
        try FileManager.default.createDirectory(atPath: feed, withIntermediateDirectories: true)
        let t = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60))
        func frame(_ data: String) -> String { "{\"last_updated\":\"\(t)\",\"ttl\":30,\"version\":\"3.0\",\"data\":\(data)}" }
        let names = ["system_information", "station_information", "station_status", "vehicle_status"]
        TestSupport.write(frame("{\"feeds\":[" + names.map { "{\"name\":\"\($0)\",\"url\":\"https://example.invalid/\($0).json\"}" }.joined(separator: ",") + "]}"),
                          to: feed + "/gbfs.json")
        TestSupport.write(frame(#"{"system_id":"cli-op","languages":["zh"],"name":[{"text":"x","language":"zh"}],"timezone":"Asia/Shanghai"}"#),
                          to: feed + "/system_information.json")
        TestSupport.write(frame(#"{"stations":[{"station_id":"S1","name":[{"text":"S1","language":"zh"}],"lat":30.66,"lon":104.1,"capacity":5}]}"#),
                          to: feed + "/station_information.json")
        TestSupport.write(frame(#"{"stations":[{"station_id":"S1","num_vehicles_available":4,"num_docks_available":1,"is_installed":true,"is_renting":true,"is_returning":true,"last_reported":"\#(t)"}]}"#),
                          to: feed + "/station_status.json")
        TestSupport.write(frame(#"{"vehicles":[{"vehicle_id":"V1","lat":30.6601,"lon":104.1001,"is_reserved":false,"is_disabled":false},{"vehicle_id":"V2","lat":30.66,"lon":104.1,"is_reserved":false}]}"#),
                          to: feed + "/vehicle_status.json")
        let first = try TestSupport.run(TestSupport.citytwin, ["gbfs", "pull", feed, "--db", db])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("GBFS 3.0 system cli-op: 1 stations (4 vehicles available at stations), ttl 30 s"), "\(first.stdout)")
        #expect(first.stdout.contains("applied 1, ignored as older 0"), "\(first.stdout)")
        #expect(first.stdout.contains("problem: vehicle_status.json: data.vehicles[1].is_disabled: missing or not a boolean"), "\(first.stdout)")
        // Stored beside the database: the same feed again is no newer than what is stored.
        let again = try TestSupport.run(TestSupport.citytwin, ["gbfs", "pull", feed, "--db", db])
        #expect(again.stdout.contains("applied 0, ignored as older 1"), "\(again.stdout)")
        let missing = try TestSupport.run(TestSupport.citytwin, ["gbfs", "pull", dir + "/none", "--db", db])
        #expect(missing.status != 0 && missing.stderr.contains("gbfs.json"), "\(missing.stderr)")
    }

    /// A running server picks up what `citytwin bikes ingest` stores, without a restart.
    @Test func runningServerSeesIngestedPositionsWithinSeconds() async throws {
        let dir = TestSupport.scratch()
        TestSupport.write("""
        {"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"station_id":"S1","capacity":5},"geometry":{"type":"Point","coordinates":[104.10,30.66]}},
        {"type":"Feature","properties":{"station_id":"S2","capacity":5},"geometry":{"type":"Point","coordinates":[104.12,30.67]}}]}
        """, to: dir + "/stations.geojson")
        let db = dir + "/city.sqlite"
        let imported = try TestSupport.run(TestSupport.citytwin, ["import", dir + "/stations.geojson", "--layer", "stations", "--role", "bike_station", "--db", db])
        #expect(imported.status == 0, "\(imported.stderr)")
        let port = Int.random(in: 20_000...40_000)
        TestSupport.write("bikes:\n  store_poll_s: 0.5\n", to: dir + "/c.yaml")
        let server = Process()
        server.executableURL = URL(fileURLWithPath: TestSupport.citytwin)
        server.arguments = ["serve", "--config", dir + "/c.yaml", "--db", db, "--port", String(port)]
        server.currentDirectoryURL = URL(fileURLWithPath: dir)
        server.standardOutput = FileHandle.nullDevice
        // The server's log, quoted when a check fails.
        FileManager.default.createFile(atPath: dir + "/server.log", contents: nil)
        server.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/server.log"))
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        /// S1's and S2's live counts, nil until the server answers.
        func counts() async -> [Int]? {
            guard let (d, r) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/v1/bikes/balance")!),
                  (r as? HTTPURLResponse)?.statusCode == 200, let v = try? JSONParser.parse([UInt8](d)) else { return nil }
            return v["stations"]?.arrayValue?.map { Int($0["count"]?.doubleValue ?? -1) }
        }
        var before: [Int]?
        for _ in 0..<300 where before == nil {
            before = await counts()
            if before == nil { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        #expect(before == [0, 0])
        /// Ingests one report of bike A and waits (up to 10 s: the machine may be busy) for the server's counts to become `expected`.
        func ingest(lon: Double, lat: Double, secondsAgo: Double, expect expected: [Int]) async throws {
            let t = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-secondsAgo))
            TestSupport.write("{\"bike_id\":\"A\",\"operator\":\"x\",\"lon\":\(lon),\"lat\":\(lat),\"observed_at\":\"\(t)\"}\n", to: dir + "/p.ndjson")
            let r = try TestSupport.run(TestSupport.citytwin, ["bikes", "ingest", dir + "/p.ndjson", "--db", db])
            #expect(r.status == 0 && r.stdout.contains("applied 1"), "\(r.stdout) \(r.stderr)")
            let start = Date()
            var now = await counts()
            while now != expected && Date().timeIntervalSince(start) < 10 {
                try await Task.sleep(nanoseconds: 100_000_000)
                now = await counts()
            }
            let log = (try? String(contentsOfFile: dir + "/server.log", encoding: .utf8)) ?? ""
            #expect(now == expected, "after \(Date().timeIntervalSince(start)) s; server log: \(log.suffix(2000))")
        }
        try await ingest(lon: 104.1001, lat: 30.6601, secondsAgo: 60, expect: [1, 0])
        // The same bike moved to S2: gone from S1, counted at S2.
        try await ingest(lon: 104.1201, lat: 30.6701, secondsAgo: 30, expect: [0, 1])
    }
}
