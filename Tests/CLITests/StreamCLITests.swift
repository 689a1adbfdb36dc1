import Foundation
import Geo
import Testing
import TestSupport

/// The live stream of a served city, read by an independent client (raw
/// sockets and a hand-written SSE parser in Tests/Checkers/stream_check.py)
/// while events and readings are posted over HTTP.
@Suite(.serialized) struct StreamCLITests {
    @Test func streamFiltersResumesLimitsAndDropsStuckClients() async throws {
        let dir = TestSupport.scratch("stream-cli")
        let db = dir + "/city.sqlite"
        let load = try TestSupport.run(TestSupport.citytwin, ["load", "--db", db, TestSupport.projectRoot + "/GeoData"], cwd: dir)
        try #require(load.status == 0, "\(load.stderr)")
        let server = try await TilesCLITests.Server(db: db, extraConfig: """
            stream:
              heartbeat_s: 0.3
              client_buffer: 60
              max_clients: 6
              retention_messages: 600
            """)
        defer { server.stop() }
        let r = try TilesCLITests.pythonScript("stream_check.py", [server.base, TestSupport.projectRoot + "/GeoData"])
        #expect(r["posts"] == .array([.number(201), .number(201), .number(201)]))
        let f = r["filters"]
        // topics=event: the two events only; topics=flood,reading: readings and the status change only.
        #expect(f?["events_only"] == .array([.string("event.created"), .string("event.created")]))
        #expect(f?["events_only_ids"] == f?["created_ids"])
        #expect(f?["floods_only"] == .array([.string("sensor.reading"), .string("sensor.reading"), .string("flood.status")]), "\(f ?? .null)")
        let flood = f?["flood_status"]?.arrayValue?.last
        #expect(flood?["status"] == .string("flooded") && flood?["previous_status"] == .string("normal") && flood?["sensor_id"] == .string("WL-001"))
        // bbox: the event inside only.
        #expect(f?["boxed"] == .array([.array([.string("event.created"), f?["created_ids"]?.arrayValue?.first ?? .null])]), "\(f ?? .null)")
        // Every message has an id, consecutive from the first.
        let ids = f?["ids"]?.arrayValue?.compactMap(\.doubleValue) ?? []
        #expect(ids.count == 5 && zip(ids, ids.dropFirst()).allSatisfy { $1 == $0 + 1 }, "\(ids)")
        #expect((r["heartbeats"]?.doubleValue ?? 0) >= 2)
        // Last-Event-ID: exactly the events missed, in order, from the next id on.
        let resume = r["resume"]
        #expect(resume?["got"] == resume?["missed"] && (resume?["missed"]?.arrayValue?.count ?? 0) == 3, "\(resume ?? .null)")
        #expect(resume?["first_id"]?.doubleValue == (resume?["last_seen"]?.doubleValue ?? 0) + 1)
        #expect(r["stale_resume_first"] == .string("reset") && r["future_resume_first"] == .string("reset"))
        // Client limit: six held, the seventh refused.
        #expect(r["limit"]?["held"] == .array(Array(repeating: .number(200), count: 6)) && r["limit"]?["extra"] == .number(503))
        // Bike stations whose balance status a posted batch changed are pushed as bikes.station, exactly those
        // (against /v1/bikes/balance before and after), with their old and new status, count and point; bbox
        // keeps the ones inside; a client of topics=event gets none.
        let bikes = r["bikes"]
        #expect(bikes?["post_status"] == .number(200) && bikes?["applied"] == bikes?["sent"], "\(bikes ?? .null)")
        #expect(bikes?["a_and_b_changed"] == .bool(true), "\(bikes ?? .null)")
        #expect(bikes?["messages"] == bikes?["stations_changed"], "\(bikes ?? .null)")
        #expect(bikes?["all_topics_bikes"] == .bool(true) && bikes?["statuses_match"] == .bool(true), "\(bikes ?? .null)")
        #expect(bikes?["counts_match"] == .bool(true) && bikes?["points_match"] == .bool(true), "\(bikes ?? .null)")
        #expect(bikes?["boxed"] == bikes?["boxed_expected"] && (bikes?["boxed"]?.arrayValue?.count ?? 0) >= 1, "\(bikes ?? .null)")
        #expect((bikes?["boxed"]?.arrayValue?.count ?? 0) < (bikes?["messages"]?.arrayValue?.count ?? 0), "\(bikes ?? .null)")
        #expect(bikes?["events_client_got"] == .array([]), "\(bikes ?? .null)")
        // A client that stops reading is dropped and its connection closed; the one reading gets all 1,500, in order.
        let slow = r["slow"]
        #expect(slow?["posted"] == .number(1500) && slow?["fast_got"] == .number(1500) && slow?["fast_in_order"] == .bool(true), "\(slow ?? .null)")
        #expect(slow?["dropped_after"]?.doubleValue == (slow?["dropped_before"]?.doubleValue ?? -1) + 1, "\(slow ?? .null)")
        #expect(slow?["clients_after"] == .number(1) && slow?["health"] == .number(200))
        #expect(slow?["slow_closed"] == .bool(true) && (slow?["slow_got"]?.doubleValue ?? 1500) < 1500, "\(slow ?? .null)")
    }
}
