import CityOps
import CityTwinServer
import Foundation
import Geo
import Hummingbird
import HummingbirdTesting
import Storage
import Testing
import TestSupport

/// The event hub at volume: batches, cursors, filters, deadlines and
/// escalation on a manual clock, statistics, hot spots, readings history and
/// bad input — each answer checked against what was posted.
enum HubFixture {
    static let state: CityState = SampleFixture.loadSample(into: "hub")
    static let start = Timestamp.parse("2026-06-01T08:00:00Z")!
    static let clock = ManualClock(start)
    static let hubTask = Task { try await SampleFixture.makeHub(for: state, name: "hub", clock: clock) }
    static func hub() async throws -> EventService { try await hubTask.value }
    static func app() async throws -> some ApplicationProtocol {
        Application(router: CityTwinServer.router(state: state, config: SampleFixture.config, geocoding: EventFixture.geocoding, events: try await hub()))
    }
    static let auth: HTTPFields = [.authorization: "Bearer \(SampleFixture.token)", .contentType: "application/json"]

    /// Points inside the sample city, seeded.
    static func points(_ n: Int, seed: UInt64) -> [Coordinate] {
        var rng = SeededGenerator(seed: seed)
        return (0..<n).map { _ in Coordinate(104.05 + Double.random(in: 0..<0.1, using: &rng), 30.62 + Double.random(in: 0..<0.08, using: &rng)) }
    }
}

typealias SeededGenerator = SplitMix64

@Suite(.serialized) struct EventHubTests {
    static let types = ["占道经营", "井盖缺失", "垃圾堆放", "路灯损坏"]

    func batch(_ client: some TestClientProtocol, _ items: [String]) async throws -> (HTTPResponse.Status, JSONValue) {
        let body = "{\"events\":[" + items.joined(separator: ",") + "]}"
        return try await client.execute(uri: "/v1/events/batch", method: .post, headers: HubFixture.auth, body: ByteBuffer(string: body)) { r in
            (r.status, try SampleFixture.json(r))
        }
    }

    func get(_ client: some TestClientProtocol, _ uri: String) async throws -> (HTTPResponse.Status, JSONValue) {
        try await client.execute(uri: uri, method: .get) { r in (r.status, try SampleFixture.json(r)) }
    }

    /// 600 events by batch; then every filter and the cursor walk agree with a brute-force
    /// filter of what was posted, and a page walk stays stable while new events arrive.
    @Test func batchCursorsAndEveryFilter() async throws {
        let t0 = try await HubFixture.hub().now
        try await HubFixture.app().test(.router) { client in
            let pts = HubFixture.points(600, seed: 11)
            var posted: [(id: Int, type: String, p: Coordinate, grid: String?, community: String?, street: String?)] = []
            for chunk in stride(from: 0, to: pts.count, by: 200) {
                let items = (chunk..<min(chunk + 200, pts.count)).map { k in
                    #"{"type":"\#(Self.types[k % 4])","description":"n\#(k)","lon":\#(pts[k].x),"lat":\#(pts[k].y),"reported_at":"2026-06-01T0\#(k % 8):00:00Z"}"#
                }
                // One malformed item in the middle: reported at its index, the rest stored.
                var withBad = items
                withBad.insert(#"{"type":"x","lon":500,"lat":30}"#, at: 7)
                let (status, v) = try await batch(client, withBad)
                #expect(status == .created)
                let results = try #require(v["results"]?.arrayValue)
                #expect(results.count == withBad.count && v["failed"] == .number(1))
                #expect(results[7]["status"] == .number(400) && results[7]["error"]?.stringValue?.contains("lon/lat") == true)
                for (j, r) in results.enumerated() where j != 7 {
                    #expect(r["index"] == .number(Double(j)) && r["status"] == .number(201))
                    let e = try #require(r["event"])
                    let k = chunk + (j < 7 ? j : j - 1)
                    #expect(e["description"] == .string("n\(k)"))
                    posted.append((Int(e["id"]!.doubleValue!), Self.types[k % 4], pts[k], e["grid_code"]?.stringValue,
                                   e["community_code"]?.stringValue, e["street_code"]?.stringValue))
                }
            }
            #expect(posted.count == 600)
            // Cursor walk over one type, pages of 37, with inserts between pages: no gaps, no repeats.
            let want = Set(posted.filter { $0.type == "井盖缺失" }.map(\.id))
            var seen: [Int] = [], cursor: String? = nil, pages = 0
            repeat {
                let uri = "/v1/events?type=\(GeocodeRouteTests.encode("井盖缺失"))&limit=37" + (cursor.map { "&cursor=\(GeocodeRouteTests.encode($0))" } ?? "")
                let (status, v) = try await get(client, uri)
                #expect(status == .ok)
                let ids = v["events"]!.arrayValue!.map { Int($0["id"]!.doubleValue!) }
                #expect(ids == ids.sorted(by: >))
                seen += ids
                cursor = v["next"]?.stringValue
                pages += 1
                // New events arrive meanwhile; they are newer than the cursor and never shift later pages.
                _ = try await batch(client, [#"{"type":"井盖缺失","description":"late","lon":104.08,"lat":30.65}"#])
            } while cursor != nil && pages < 100
            #expect(Set(seen) == want && seen.count == want.count, "walked \(seen.count) of \(want.count)")
            // Each filter against brute force (the posted set; late events are excluded by id range).
            let maxID = posted.map(\.id).max()!
            func check(_ query: String, _ keep: ((id: Int, type: String, p: Coordinate, grid: String?, community: String?, street: String?)) -> Bool) async throws {
                let (status, v) = try await get(client, "/v1/events?limit=1000&\(query)")
                #expect(status == .ok, "\(query)")
                let got = Set(v["events"]!.arrayValue!.map { Int($0["id"]!.doubleValue!) }.filter { $0 <= maxID })
                #expect(got == Set(posted.filter(keep).map(\.id)), "\(query)")
            }
            let g = posted[0].grid!, c = posted[0].community!, s = posted[0].street!
            try await check("grid_code=\(g)") { $0.grid == g }
            try await check("community_code=\(c)") { $0.community == c }
            try await check("street_code=\(s)") { $0.street == s }
            try await check("bbox=104.05,30.62,104.09,30.66") { $0.p.x >= 104.05 && $0.p.x <= 104.09 && $0.p.y >= 30.62 && $0.p.y <= 30.66 }
            try await check("type=\(GeocodeRouteTests.encode("占道经营,垃圾堆放"))") { $0.type == "占道经营" || $0.type == "垃圾堆放" }
            try await check("status=new") { _ in true }
            try await check("status=closed") { _ in false }
            // All were created at the manual clock's time: since/until bracket it.
            let before = Timestamp.string(t0.addingTimeInterval(-1)), after = Timestamp.string(t0.addingTimeInterval(1))
            try await check("since=\(before)&until=\(after)") { _ in true }
            try await check("since=\(after)") { _ in false }
            try await check("until=\(before)") { _ in false }
        }
    }

    /// Deadlines from the type, overdue past them, escalation one level per step,
    /// recorded in the history; moving the clock is all it takes.
    @Test func deadlinesOverdueAndEscalation() async throws {
        let hub = try await HubFixture.hub()
        try await HubFixture.app().test(.router) { client in
            let (status, v) = try await batch(client, [#"{"type":"井盖缺失","description":"deadline","lon":104.07,"lat":30.64}"#,
                                                       #"{"type":"路灯损坏","description":"slow","lon":104.071,"lat":30.641}"#])
            #expect(status == .created)
            let results = try #require(v["results"]?.arrayValue)
            let manhole = try #require(results[0]["event"]), lamp = try #require(results[1]["event"])
            let id = Int(manhole["id"]!.doubleValue!)
            let now = hub.now
            // 井盖缺失: 4 h; 路灯损坏: 72 h.
            #expect(manhole["due_at"]?.stringValue.flatMap(Timestamp.parse) == now.addingTimeInterval(4 * 3600))
            #expect(lamp["due_at"]?.stringValue.flatMap(Timestamp.parse) == now.addingTimeInterval(72 * 3600))
            #expect(manhole["overdue"] == .bool(false) && manhole["escalation_level"] == .number(0))
            HubFixture.clock.advance(by: 4 * 3600 + 60)
            try await hub.escalate()
            var (_, e) = try await get(client, "/v1/events/\(id)")
            #expect(e["overdue"] == .bool(true) && e["escalation_level"] == .number(1) && e["escalated_to"] == .string("community"))
            let (_, od) = try await get(client, "/v1/events/overdue?limit=10000")
            #expect(od["events"]!.arrayValue!.contains { $0["id"] == manhole["id"] })
            #expect(!od["events"]!.arrayValue!.contains { $0["id"] == lamp["id"] })
            // Two more steps of 4 h: street, then district, and no further.
            HubFixture.clock.advance(by: 4 * 3600)
            try await hub.escalate()
            HubFixture.clock.advance(by: 40 * 3600)
            try await hub.escalate()
            try await hub.escalate()
            (_, e) = try await get(client, "/v1/events/\(id)")
            #expect(e["escalation_level"] == .number(3) && e["escalated_to"] == .string("district"))
            let steps = e["history"]!.arrayValue!.filter { $0["kind"] == .string("escalated") }.map { $0["to"]?.stringValue }
            #expect(steps == ["community", "street", "district"])
            // Memory keeps events without their planning details; escalation rewrote the stored
            // event from storage, so the proposed handlers and the geocode answer are still there.
            let stored = try #require(try await hub.event(id: Int64(id))).0
            #expect((stored.properties["handlers"]?.arrayValue?.count ?? 0) > 0 && stored.properties["handler_type"] != nil)
            #expect(hub.overdue(limit: 100_000).first { $0.id == Int64(id) }?.properties["handlers"] == nil)
            // Resolving stops the clock: no longer overdue.
            for s in ["dispatched", "in_progress", "resolved"] {
                try await client.execute(uri: "/v1/events/\(id)", method: .patch, headers: HubFixture.auth,
                                         body: ByteBuffer(string: #"{"status":"\#(s)","note":"step \#(s)","assignee":"王师傅"}"#)) { r in #expect(r.status == .ok) }
            }
            (_, e) = try await get(client, "/v1/events/\(id)")
            #expect(e["overdue"] == .bool(false) && e["status"] == .string("resolved") && e["assignee"] == .string("王师傅"))
            let kinds = e["history"]!.arrayValue!.map { $0["kind"]!.stringValue! }
            #expect(kinds.first == "created" && kinds.filter { $0 == "status" }.count == 3 && kinds.contains("assigned") && kinds.filter { $0 == "note" }.count == 3)
            // Stats by type agree with the filtered list (two SQL paths) and with memory's overdue list.
            let (_, stats) = try await get(client, "/v1/events/stats?group_by=type&since=2020-01-01T00:00:00Z")
            let row = try #require(stats["groups"]?.arrayValue?.first { $0["key"] == .string("井盖缺失") })
            let (_, listed) = try await get(client, "/v1/events?type=\(GeocodeRouteTests.encode("井盖缺失"))&overdue=true&limit=10000")
            let (_, all) = try await get(client, "/v1/events?type=\(GeocodeRouteTests.encode("井盖缺失"))&limit=10000")
            #expect(row["overdue"]?.doubleValue == listed["count"]?.doubleValue && (row["overdue"]?.doubleValue ?? 0) > 0)
            #expect(row["count"]?.doubleValue == all["count"]?.doubleValue)
            let memoryOverdue = hub.overdue(limit: 100_000).filter { $0.type == "井盖缺失" }.count
            #expect(Double(memoryOverdue) == listed["count"]?.doubleValue)
        }
    }

    /// Hot spots: grids where one type repeats, ranked, checked against the posted counts.
    @Test func hotspotsRankRepeatedTypesPerGrid() async throws {
        try await HubFixture.app().test(.router) { client in
            let pts = (0..<5).map { k in Coordinate(104.1013 + Double(k) * 0.00002, 30.6613) }
            _ = try await batch(client, pts.enumerated().map { k, p in #"{"type":"噪音扰民","description":"h\#(k)","lon":\#(p.x),"lat":\#(p.y)}"# })
            // Expected counts per grid, by point-in-polygon on the snapshot (independent of the hub).
            var want: [String: Int] = [:]
            for p in pts {
                if let g = HubFixture.state.snapshot.locate(lon: p.x, lat: p.y)[.grid].flatMap({ $0.0.properties.object($0.1)["code"]?.textValue }) { want[g, default: 0] += 1 }
            }
            let (status, v) = try await get(client, "/v1/events/hotspots?since=2020-01-01T00:00:00Z&type=\(GeocodeRouteTests.encode("噪音扰民"))&min=2")
            #expect(status == .ok)
            let rows = try #require(v["hotspots"]?.arrayValue)
            for (g, n) in want where n >= 2 {
                #expect(rows.contains { $0["grid_code"]?.stringValue == g && $0["type"] == .string("噪音扰民") && $0["count"] == .number(Double(n)) }, "\(g) \(n)")
            }
            #expect(!want.filter { $0.value >= 2 }.isEmpty)
            #expect(rows.allSatisfy { ($0["count"]?.doubleValue ?? 0) >= 2 && $0["grid_name"]?.stringValue != nil })
            let counts = rows.compactMap { $0["count"]?.doubleValue }
            #expect(counts == counts.sorted(by: >))
        }
    }

    @Test func readingsHistoryPagesInTimeOrder() async throws {
        try await HubFixture.app().test(.router) { client in
            let times = (0..<25).map { String(format: "2026-05-01T%02d:00:00Z", $0 % 24) + ($0 >= 24 ? "" : "") }
            let body = "[" + (0..<24).map { #"{"sensor_id":"WL-003","level_cm":\#($0),"observed_at":"\#(times[$0])"}"# }.joined(separator: ",") + "]"
            try await client.execute(uri: "/v1/sensors/readings", method: .post, headers: HubFixture.auth, body: ByteBuffer(string: body)) { r in
                #expect(r.status == .created)
            }
            // The same readings again are not stored twice.
            try await client.execute(uri: "/v1/sensors/readings", method: .post, headers: HubFixture.auth, body: ByteBuffer(string: body)) { r in
                let v = try SampleFixture.json(r)
                #expect(v["stored"] == .number(0))
            }
            var got: [Double] = [], cursor: String? = nil
            repeat {
                let (status, v) = try await get(client, "/v1/sensors/WL-003/readings?since=2026-05-01T00:00:00Z&until=2026-05-02T00:00:00Z&limit=10"
                                                + (cursor.map { "&cursor=\(GeocodeRouteTests.encode($0))" } ?? ""))
                #expect(status == .ok)
                got += v["readings"]!.arrayValue!.map { $0["level_cm"]!.doubleValue! }
                cursor = v["next"]?.stringValue
            } while cursor != nil
            #expect(got == (0..<24).map(Double.init))
            let (_, part) = try await get(client, "/v1/sensors/WL-003/readings?since=2026-05-01T05:00:00Z&until=2026-05-01T08:00:00Z")
            #expect(part["readings"]!.arrayValue!.map { $0["level_cm"]!.doubleValue! } == [5, 6, 7])
            // The latest level drives the flood layer at once.
            #expect(HubFixture.state.snapshot.readings["WL-003"]?.levelCM == 23)
        }
    }

    @Test func badInputIsRefusedAndNothingIsHalfWritten() async throws {
        let hub = try await HubFixture.hub()
        let before = try await hub.store.eventCount()
        try await HubFixture.app().test(.router) { client in
            for (uri, status) in [("/v1/events?cursor=garbage", 400), ("/v1/events?cursor=\(GeocodeRouteTests.encode(Data("e1:-5".utf8).base64EncodedString()))", 400),
                                  ("/v1/events?limit=0", 400), ("/v1/events?limit=99999999", 400), ("/v1/events?colour=red", 400),
                                  ("/v1/events?status=lost", 400), ("/v1/events?since=yesterday", 400), ("/v1/events?overdue=maybe", 400),
                                  ("/v1/events?grid_code=a%27%3B%20DROP", 400), ("/v1/events/stats?group_by=planet", 400),
                                  ("/v1/events/0", 400), ("/v1/events/abc", 400), ("/v1/events/99999999", 404),
                                  ("/v1/sensors/WL-001/readings?cursor=zzz", 400)] {
                let s = try await client.execute(uri: uri, method: .get) { $0.status }
                #expect(Int(s.code) == status, "\(uri)")
            }
            // Over the batch limit: 413, nothing stored.
            let many = "{\"events\":[" + Array(repeating: #"{"type":"a","lon":104.07,"lat":30.64}"#, count: 1001).joined(separator: ",") + "]}"
            let s413 = try await client.execute(uri: "/v1/events/batch", method: .post, headers: HubFixture.auth, body: ByteBuffer(string: many)) { $0.status }
            #expect(s413 == .contentTooLarge)
            // Every item malformed: 422 with a result each, nothing stored.
            let (s, v) = try await batch(client, [#"{"type":""}"#, #"{"lon":1}"#, "3"])
            #expect(s == .unprocessableContent && v["stored"] == .number(0) && v["results"]?.arrayValue?.count == 3)
            // A PATCH with nothing to change, or an unknown status.
            for body in [#"{}"#, #"{"status":"flying"}"#, #"{"assignee":""}"#, "[1]"] {
                let st = try await client.execute(uri: "/v1/events/1", method: .patch, headers: HubFixture.auth, body: ByteBuffer(string: body)) { $0.status }
                #expect(st == .badRequest, "\(body)")
            }
        }
        #expect(try await hub.store.eventCount() == before)
    }

    /// Two clients moving the same event from the same state: one wins, one gets 409 or 422.
    @Test func concurrentMovesCannotBothWin() async throws {
        let hub = try await HubFixture.hub()
        try await HubFixture.app().test(.router) { client in
            let (_, v) = try await batch(client, [#"{"type":"垃圾堆放","description":"race","lon":104.06,"lat":30.63}"#])
            let id = Int(try #require(v["results"]?.arrayValue?.first?["event"]?["id"]?.doubleValue))
            async let a = client.execute(uri: "/v1/events/\(id)", method: .patch, headers: HubFixture.auth, body: ByteBuffer(string: #"{"status":"dispatched"}"#)) { $0.status }
            async let b = client.execute(uri: "/v1/events/\(id)", method: .patch, headers: HubFixture.auth, body: ByteBuffer(string: #"{"status":"closed"}"#)) { $0.status }
            let (sa, sb) = try await (a, b)
            #expect([sa, sb].filter { $0 == .ok }.count == 1, "\(sa) \(sb)")
            let (e, history) = try #require(try await hub.event(id: Int64(id)))
            #expect(history.filter { $0.kind == .status }.count == 1 && ["dispatched", "closed"].contains(e.status))
        }
    }
}
