import Foundation
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
}
