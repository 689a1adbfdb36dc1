import Foundation
import Geo
@testable import Storage
import Testing
import TestSupport

typealias SeededGenerator = SplitMix64

/// Random events over 30 grids (6 communities, 2 streets), 5 types, 5 statuses and 30 days.
struct EventGenerator {
    static let types = ["garbage", "noise", "road", "water", "parking"]
    static let statuses = ["new", "assigned", "in_progress", "resolved", "closed"]
    static let start = Date(timeIntervalSince1970: 1_772_323_200) // 2026-03-01T00:00:00Z
    var rng: SeededGenerator

    init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    static func time(_ seconds: Double) -> String { Timestamp.millis(start.addingTimeInterval(seconds)) }

    mutating func event() -> EventRecord {
        let created = Double.random(in: 0..<(30 * 86_400), using: &rng).rounded()
        let createdAt = Self.time(created)
        let status = Self.statuses.randomElement(using: &rng)!
        let grid = Int.random(in: 0..<30, using: &rng)
        let hasGrid = Int.random(in: 0..<20, using: &rng) != 0
        var e = EventRecord(type: Self.types.randomElement(using: &rng)!, description: "d\(created)", address: "addr",
                            status: status, source: "hotline", reportedAt: createdAt, createdAt: createdAt, updatedAt: createdAt,
                            gridCode: hasGrid ? "G\(grid)" : nil,
                            properties: JSONObject([(key: "n", value: .number(created)), (key: "tag", value: .string("x\"y"))]),
                            point: Coordinate(104 + Double.random(in: 0..<0.2, using: &rng), 30.6 + Double.random(in: 0..<0.2, using: &rng)))
        if hasGrid {
            e.communityCode = "C\(grid / 5)"
            e.streetCode = "S\(grid / 15)"
            e.districtCode = "D0"
        }
        if Int.random(in: 0..<4, using: &rng) != 0 {
            e.dueAt = Self.time(created + Double(Int.random(in: 1...72, using: &rng)) * 3_600)
        }
        if status == "resolved" || status == "closed" {
            e.closedAt = Self.time(created + Double(Int.random(in: 60...200_000, using: &rng)))
        }
        e.escalationLevel = Int.random(in: 0...3, using: &rng)
        e.assignee = Int.random(in: 0..<2, using: &rng) == 0 ? nil : "worker\(grid)"
        return e
    }

    mutating func events(_ n: Int) -> [EventRecord] { (0..<n).map { _ in event() } }
}

@Suite struct OperationalStoreTests {
    func store(_ name: String = #function, synchronous: SQLiteOperationalStore.Synchronous = .normal) throws -> SQLiteOperationalStore {
        try SQLiteOperationalStore(path: TestSupport.scratch(name) + "/ops.sqlite", synchronous: synchronous)
    }

    /// Every page of `filter`, following cursors.
    func allPages(_ s: SQLiteOperationalStore, _ filter: EventFilter, limit: Int) async throws -> [EventRecord] {
        var out: [EventRecord] = []
        var cursor: Int64?
        while true {
            let page = try await s.events(matching: filter, after: cursor, limit: limit)
            #expect(page.count <= limit)
            out += page
            guard page.count == limit, let last = page.last else { return out }
            cursor = last.id
        }
    }

    static func matches(_ e: EventRecord, _ f: EventFilter) -> Bool {
        if let s = f.statuses, !s.contains(e.status) { return false }
        if let t = f.types, !t.contains(e.type) { return false }
        if let g = f.gridCode, e.gridCode != g { return false }
        if let c = f.communityCode, e.communityCode != c { return false }
        if let s = f.streetCode, e.streetCode != s { return false }
        if let b = f.bbox, !(e.point.x >= b.minX && e.point.x <= b.maxX && e.point.y >= b.minY && e.point.y <= b.maxY) { return false }
        if let s = f.since, e.createdAt < s { return false }
        if let u = f.until, e.createdAt >= u { return false }
        if let o = f.overdueAt {
            guard let due = e.dueAt, due < o, e.status != "resolved", e.status != "closed" else { return false }
        }
        return true
    }

    @Test func pathBesidesMainDatabase() {
        #expect(SQLiteOperationalStore.path(besides: "citytwin.sqlite") == "citytwin-ops.sqlite")
        #expect(SQLiteOperationalStore.path(besides: "/var/lib/city/citytwin.sqlite") == "/var/lib/city/citytwin-ops.sqlite")
        #expect(SQLiteOperationalStore.path(besides: "data.v2/city.db") == "data.v2/city-ops.db")
        #expect(SQLiteOperationalStore.path(besides: "data.v2/city") == "data.v2/city-ops.sqlite")
        #expect(SQLiteOperationalStore.path(besides: ".hidden") == ".hidden-ops.sqlite")
        #expect(SQLiteOperationalStore.path(besides: ":memory:") == ":memory:-ops.sqlite")
    }

    @Test func insertReturnsIDsInOrderAndRoundTrips() async throws {
        let s = try store()
        var gen = EventGenerator(seed: 1)
        let input = gen.events(50)
        let stored = try await s.insertEvents(input)
        #expect(stored.count == 50)
        #expect(zip(stored, stored.dropFirst()).allSatisfy { $0.id < $1.id })
        for (a, b) in zip(input, stored) {
            var a = a
            a.id = b.id
            #expect(a == b)
            let (fetched, history) = try #require(try await s.event(id: b.id))
            #expect(fetched == b)
            #expect(history == [EventHistoryEntry(at: b.createdAt, kind: .created, to: b.status, actor: "hotline")])
        }
        #expect(try await s.insertEvents([]).isEmpty)
        #expect(try await s.event(id: 999_999) == nil)
        #expect(try await s.eventCount() == 50)
    }

    /// Pages leave out the intake's planning details; the event by id keeps them.
    @Test func pagesCarryPropertiesWithoutPlanningDetails() async throws {
        let s = try store()
        var gen = EventGenerator(seed: 3)
        var e = gen.event()
        e.properties["handlers"] = .array([.object(JSONObject([("id", .string("h1")), ("distance_m", .number(12))]))])
        e.properties["geocode"] = .object(JSONObject([("formatted_address", .string("建设路2号"))]))
        e.properties["candidates"] = .array([])
        e.properties["needs_review"] = .bool(true)
        let stored = try await s.insertEvents([e])[0]
        let page = try await s.events(matching: EventFilter(), after: nil, limit: 10)
        #expect(page.count == 1 && page[0].id == stored.id)
        var expected = stored.properties
        for k in ["handlers", "geocode", "candidates"] { expected[k] = nil }
        #expect(page[0].properties == expected)
        #expect(page[0].properties["needs_review"] == .bool(true) && page[0].properties["tag"] == .string("x\"y"))
        let (full, _) = try #require(try await s.event(id: stored.id))
        #expect(full.properties == stored.properties && full.properties["handlers"] != nil)
    }

    @Test func cursorPagesStayStableUnderInserts() async throws {
        let s = try store()
        var gen = EventGenerator(seed: 2)
        let first = try await s.insertEvents(gen.events(100))
        var seen: [Int64] = []
        var cursor: Int64?
        var rounds = 0
        var newestID = first.last!.id
        while true {
            let page = try await s.events(matching: EventFilter(), after: cursor, limit: 7)
            seen += page.map(\.id)
            guard page.count == 7, let last = page.last else { break }
            cursor = last.id
            // New events arrive between pages; they are newer than the cursor, so never appear later.
            newestID = try await s.insertEvents(gen.events(3)).last!.id
            rounds += 1
        }
        #expect(rounds > 10)
        #expect(seen == first.map(\.id).reversed())
        #expect(Set(seen).count == seen.count)
        // A fresh listing starts with the newest.
        let newest = try await s.events(matching: EventFilter(), after: nil, limit: 1)
        #expect(newest.map(\.id) == [newestID])
        #expect(try await s.events(matching: EventFilter(), after: nil, limit: 0).isEmpty)
        #expect(try await s.events(matching: EventFilter(statuses: []), after: nil, limit: 10).isEmpty)
    }

    @Test func everyFilterMatchesBruteForce() async throws {
        let s = try store()
        var gen = EventGenerator(seed: 3)
        var all: [EventRecord] = []
        for _ in 0..<4 { all += try await s.insertEvents(gen.events(1_000)) }
        let day = { (d: Double) in EventGenerator.time(d * 86_400) }
        let box = BoundingBox(minX: 104.05, minY: 30.65, maxX: 104.1, maxY: 30.72)
        let filters: [EventFilter] = [
            EventFilter(),
            EventFilter(statuses: ["new"]),
            EventFilter(statuses: ["new", "assigned", "in_progress"]),
            EventFilter(statuses: ["new", "new", "nonexistent"]),
            EventFilter(types: ["road"]),
            EventFilter(types: ["road", "water"]),
            EventFilter(statuses: ["closed", "resolved"], types: ["noise", "garbage"]),
            EventFilter(gridCode: "G7"),
            EventFilter(gridCode: "G7", bbox: box),
            EventFilter(statuses: ["new", "assigned"], gridCode: "G12"),
            EventFilter(communityCode: "C3"),
            EventFilter(types: ["parking", "road"], communityCode: "C1", since: day(10)),
            EventFilter(streetCode: "S1"),
            EventFilter(streetCode: "S0", until: day(5)),
            EventFilter(bbox: box),
            EventFilter(since: day(25)),
            EventFilter(until: day(3)),
            EventFilter(since: day(12), until: day(14)),
            EventFilter(types: ["water"], bbox: box, since: day(8)),
            EventFilter(overdueAt: day(20)),
            EventFilter(statuses: ["new", "assigned"], overdueAt: day(15)),
            EventFilter(communityCode: "C2", overdueAt: day(29)),
            EventFilter(types: ["road"], overdueAt: day(29)),
            EventFilter(gridCode: "nowhere"),
        ]
        for f in filters {
            let expected = all.filter { Self.matches($0, f) }.sorted { $0.id > $1.id }
            for limit in [1_000, 37] {
                let got = try await allPages(s, f, limit: limit)
                #expect(got.map(\.id) == expected.map(\.id), "\(f) limit \(limit)")
            }
            #expect(expected.count > 0 || f.gridCode == "nowhere", "\(f) selects nothing")
            #expect(try await s.events(matching: f, after: nil, limit: 5_000) == expected, "\(f) whole records")
        }
    }

    /// Each page query is a range scan: an index or the primary key, never a scan of the table in another order.
    @Test func pageQueriesUseAnIndexInIDOrder() async throws {
        let s = try store()
        let cases: [(EventFilter, String)] = [
            (EventFilter(statuses: ["new"]), "events_status_id"),
            (EventFilter(statuses: ["new", "assigned"]), "events_status_id"),
            (EventFilter(types: ["road"]), "events_type_id"),
            (EventFilter(types: ["road", "water"], since: "2026"), "events_type_id"),
            (EventFilter(gridCode: "G1", streetCode: "S1"), "events_grid_id"),
            (EventFilter(communityCode: "C1"), "events_community_id"),
            (EventFilter(streetCode: "S1"), "events_street_id"),
            (EventFilter(overdueAt: "2026"), "events_open_due"),
            (EventFilter(bbox: BoundingBox(minX: 0, minY: 0, maxX: 1, maxY: 1)), "INTEGER PRIMARY KEY"),
            (EventFilter(since: "2026", until: "2027"), "INTEGER PRIMARY KEY"),
        ]
        for (f, index) in cases {
            let plan = try await s.queryPlan(f, after: 100, limit: 50)
            #expect(plan.contains { $0.contains(index) && $0.hasPrefix("SEARCH") }, "\(f): \(plan)")
            // Only the overdue list (open events only) sorts.
            #expect(plan.contains { $0.contains("TEMP B-TREE") } == (f.overdueAt != nil), "\(f): \(plan)")
        }
    }

    @Test func updateIsCompareAndSetAndAppendsHistory() async throws {
        let s = try store()
        var gen = EventGenerator(seed: 4)
        var e = try #require(try await s.insertEvents([gen.event()]).first)
        let t0 = e.updatedAt
        e.status = "assigned"
        e.assignee = "w1"
        e.updatedAt = EventGenerator.time(40 * 86_400)
        e.dueAt = EventGenerator.time(41 * 86_400)
        e.escalationLevel = 2
        e.gridCode = "G99"
        e.communityCode = "C99"
        e.streetCode = "S99"
        e.districtCode = "D9"
        e.properties["note"] = .string("moved")
        let h1 = [EventHistoryEntry(at: e.updatedAt, kind: .status, from: "new", to: "assigned", actor: "disp"),
                  EventHistoryEntry(at: e.updatedAt, kind: .assigned, to: "w1", actor: "disp")]
        let updated = try #require(try await s.updateEvent(e, expectedUpdatedAt: t0, history: h1))
        #expect(updated == e)
        // A second change based on the old updatedAt loses.
        var stale = e
        stale.status = "closed"
        stale.updatedAt = EventGenerator.time(42 * 86_400)
        #expect(try await s.updateEvent(stale, expectedUpdatedAt: t0, history: [EventHistoryEntry(at: stale.updatedAt, kind: .note)]) == nil)
        // Unknown id.
        var ghost = e
        ghost.id = 12_345
        #expect(try await s.updateEvent(ghost, expectedUpdatedAt: e.updatedAt, history: []) == nil)
        // A change based on the current updatedAt wins, history continues.
        e.status = "closed"
        e.closedAt = EventGenerator.time(43 * 86_400)
        let t1 = e.updatedAt
        e.updatedAt = e.closedAt!
        let h2 = [EventHistoryEntry(at: e.updatedAt, kind: .note, note: "done"),
                  EventHistoryEntry(at: e.updatedAt, kind: .status, from: "assigned", to: "closed")]
        #expect(try await s.updateEvent(e, expectedUpdatedAt: t1, history: h2) == e)
        let (fetched, history) = try #require(try await s.event(id: e.id))
        #expect(fetched == e)
        #expect(history.count == 5)
        #expect(history.first?.kind == .created)
        #expect(Array(history.dropFirst()) == h1 + h2)
    }

    @Test func concurrentUpdatesOnlyOneWins() async throws {
        let s = try store()
        var gen = EventGenerator(seed: 5)
        let e = try #require(try await s.insertEvents([gen.event()]).first)
        let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
            for k in 0..<8 {
                group.addTask {
                    var next = e
                    next.assignee = "w\(k)"
                    next.updatedAt = EventGenerator.time(50 * 86_400 + Double(k))
                    return try await s.updateEvent(next, expectedUpdatedAt: e.updatedAt, history: [
                        EventHistoryEntry(at: next.updatedAt, kind: .assigned, to: next.assignee),
                    ]) != nil
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(wins == 1)
        let (_, history) = try #require(try await s.event(id: e.id))
        #expect(history.count == 2)
    }

    @Test func liveEventsAreOpenOrRecent() async throws {
        let s = try store()
        var gen = EventGenerator(seed: 6)
        let all = try await s.insertEvents(gen.events(2_000))
        let since = EventGenerator.time(27 * 86_400)
        let expected = all.filter { $0.status != "closed" || $0.createdAt >= since || ($0.closedAt ?? "") >= since }
        let live = try await s.liveEvents(since: since)
        #expect(live == expected)
        #expect(live.count < all.count)
    }

    @Test func statsMatchBruteForce() async throws {
        let s = try store()
        var gen = EventGenerator(seed: 7)
        let all = try await s.insertEvents(gen.events(3_000))
        let now = EventGenerator.time(20 * 86_400)
        let windows: [(String?, String?)] = [(nil, nil), (EventGenerator.time(10 * 86_400), nil),
                                              (EventGenerator.time(5 * 86_400), EventGenerator.time(9 * 86_400))]
        for grouping in EventGrouping.allCases {
            for (since, until) in windows {
                let rows = try await s.eventStats(groupBy: grouping, since: since, until: until, now: now)
                let chosen = all.filter { e in e.createdAt >= since ?? "" && until.map { e.createdAt < $0 } ?? true }
                let key: (EventRecord) -> String = switch grouping {
                case .grid: { $0.gridCode ?? "" }
                case .community: { $0.communityCode ?? "" }
                case .street: { $0.streetCode ?? "" }
                case .type: { $0.type }
                case .status: { $0.status }
                }
                let groups = Dictionary(grouping: chosen, by: key)
                #expect(rows.count == groups.count)
                #expect(zip(rows, rows.dropFirst()).allSatisfy { $0.count > $1.count || ($0.count == $1.count && $0.key < $1.key) })
                for row in rows {
                    let g = try #require(groups[row.key])
                    let open = g.filter { $0.status != "resolved" && $0.status != "closed" }
                    #expect(row.count == g.count)
                    #expect(row.open == open.count)
                    #expect(row.overdue == open.filter { ($0.dueAt ?? "~") < now }.count)
                    let durations = g.compactMap { e in
                        e.closedAt.map { Timestamp.parse($0)!.timeIntervalSince(Timestamp.parse(e.createdAt)!) }
                    }
                    if durations.isEmpty {
                        #expect(row.meanSecondsToClose == nil)
                    } else {
                        let mean = durations.reduce(0, +) / Double(durations.count)
                        #expect(abs(try #require(row.meanSecondsToClose) - mean) < 0.01, "\(grouping) \(row.key)")
                    }
                }
            }
        }
    }

    @Test func hotspotsMatchBruteForce() async throws {
        let s = try store()
        var gen = EventGenerator(seed: 8)
        let all = try await s.insertEvents(gen.events(3_000))
        let since = EventGenerator.time(15 * 86_400)
        for type in [nil, "noise"] as [String?] {
            let spots = try await s.eventHotspots(since: since, type: type, minimum: 10, limit: 20)
            let chosen = all.filter { $0.createdAt >= since && $0.gridCode != nil && (type == nil || $0.type == type) }
            let groups = Dictionary(grouping: chosen) { "\($0.gridCode!)|\($0.type)" }
            let expected = groups.values.filter { $0.count >= 10 }
                .map { g in EventHotspot(gridCode: g[0].gridCode!, type: g[0].type, count: g.count, lastAt: g.map(\.createdAt).max()!) }
                .sorted { a, b in
                    if a.count != b.count { return a.count > b.count }
                    if a.lastAt != b.lastAt { return a.lastAt > b.lastAt }
                    return (a.gridCode, a.type) < (b.gridCode, b.type)
                }
            #expect(!expected.isEmpty)
            #expect(spots == Array(expected.prefix(20)))
        }
        #expect(try await s.eventHotspots(since: since, type: nil, minimum: 1_000, limit: 20).isEmpty)
    }

    @Test func readingsInsertOrIgnoreLatestPagesAndPurge() async throws {
        let s = try store()
        var readings: [SensorReading] = []
        for sensor in 0..<50 {
            for minute in 0..<40 {
                let at = EventGenerator.time(Double(minute * 60 + sensor))
                readings.append(SensorReading(sensorID: "F\(sensor)", levelCM: Double(sensor * 100 + minute), observedAt: at))
            }
        }
        #expect(try await s.insertReadings(readings.shuffled()) == 2_000)
        var again = Array(readings.prefix(10))
        again.append(SensorReading(sensorID: "F0", levelCM: 7, observedAt: EventGenerator.time(86_400)))
        #expect(try await s.insertReadings(again) == 1)
        let latest = try await s.latestReadings()
        #expect(latest.count == 50)
        #expect(latest["F0"] == SensorReading(sensorID: "F0", levelCM: 7, observedAt: EventGenerator.time(86_400)))
        #expect(latest["F49"] == SensorReading(sensorID: "F49", levelCM: 4_939, observedAt: EventGenerator.time(39 * 60 + 49)))
        // History of one sensor in [since, until), page by page.
        let since = EventGenerator.time(5 * 60)
        let until = EventGenerator.time(30 * 60)
        let expected = readings.filter { $0.sensorID == "F3" && $0.observedAt >= since && $0.observedAt < until }
        var pages: [SensorReading] = []
        var cursor: String?
        while true {
            let page = try await s.readings(sensor: "F3", since: since, until: until, after: cursor, limit: 4)
            pages += page
            guard page.count == 4 else { break }
            cursor = page.last?.observedAt
        }
        #expect(pages == expected)
        #expect(pages.count == 25)
        #expect(try await s.readings(sensor: "nope", since: nil, until: nil, after: nil, limit: 10).isEmpty)
        // Retention.
        let cutoff = EventGenerator.time(20 * 60)
        let (events, purged) = try await s.purge(eventsClosedBefore: nil, readingsBefore: cutoff)
        #expect(events == 0)
        #expect(purged == readings.filter { $0.observedAt < cutoff }.count)
        #expect(try await s.readings(sensor: "F3", since: nil, until: nil, after: nil, limit: 100).count == 20)
        #expect(try await s.latestReadings().count == 50)
        _ = try await s.purge(eventsClosedBefore: nil, readingsBefore: EventGenerator.time(2 * 86_400))
        #expect(try await s.latestReadings().isEmpty)
    }

    @Test func purgeDeletesOldClosedEventsWithHistoryInBatches() async throws {
        let s = try SQLiteOperationalStore(path: TestSupport.scratch() + "/ops.sqlite", synchronous: .normal, purgeBatch: 100)
        var gen = EventGenerator(seed: 9)
        let all = try await s.insertEvents(gen.events(5_000))
        let cutoff = EventGenerator.time(20 * 86_400)
        let doomed = all.filter { $0.status == "closed" && $0.closedAt! < cutoff }
        #expect(doomed.count > 100 * 3)
        let (events, readings) = try await s.purge(eventsClosedBefore: cutoff, readingsBefore: nil)
        #expect(events == doomed.count)
        #expect(readings == 0)
        #expect(try await s.eventCount() == all.count - doomed.count)
        #expect(try await s.event(id: doomed[0].id) == nil)
        let orphans = try await s.scalar("SELECT count(*) FROM event_history WHERE event_id NOT IN (SELECT id FROM events)")
        #expect(orphans == "0")
        // Ids are never reused, even when the newest events were purged.
        let maxID = all.map(\.id).max()!
        let next = try await s.insertEvents([gen.event()])
        #expect(next[0].id == maxID + 1)
    }

    @Test func reopenedStoreFindsEverything() async throws {
        let path = TestSupport.scratch() + "/ops.sqlite"
        var gen = EventGenerator(seed: 10)
        var stored: [EventRecord] = []
        do {
            let s = try SQLiteOperationalStore(path: path, synchronous: .full)
            stored = try await s.insertEvents(gen.events(300))
            var e = stored[5]
            e.status = "assigned"
            e.updatedAt = EventGenerator.time(31 * 86_400)
            stored[5] = try #require(try await s.updateEvent(e, expectedUpdatedAt: stored[5].updatedAt,
                                                              history: [EventHistoryEntry(at: e.updatedAt, kind: .status)]))
            #expect(try await s.insertReadings([SensorReading(sensorID: "F1", levelCM: 12.5, observedAt: "2026-03-01T00:00:00Z")]) == 1)
        }
        let reopened = try SQLiteOperationalStore(path: path)
        #expect(try await reopened.eventCount() == 300)
        #expect(try await allPages(reopened, EventFilter(), limit: 1_000) == stored.reversed())
        #expect(try await reopened.event(id: stored[5].id)?.1.count == 2)
        #expect(try await reopened.latestReadings()["F1"]?.levelCM == 12.5)
        // The migration runs once: a third open is fine too.
        _ = try SQLiteOperationalStore(path: path)
    }

    @Test func concurrentInsertsGetDistinctIDs() async throws {
        let s = try store()
        let ids = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for task in 0..<8 {
                group.addTask {
                    var gen = EventGenerator(seed: 100 + UInt64(task))
                    var ids: [Int64] = []
                    for _ in 0..<25 {
                        // Inserts queued together share a transaction: each caller still gets
                        // exactly its own events back, in its order, with ascending ids.
                        let asked = gen.events(4)
                        let stored = try await s.insertEvents(asked)
                        #expect(stored.map(\.description) == asked.map(\.description) && stored.map(\.point) == asked.map(\.point))
                        #expect(stored.map(\.id) == stored.map(\.id).sorted() && Set(stored.map(\.id)).count == 4)
                        ids += stored.map(\.id)
                    }
                    return ids
                }
            }
            return try await group.reduce(into: [Int64]()) { $0 += $1 }
        }
        #expect(ids.count == 800)
        #expect(Set(ids).count == 800)
        #expect(try await s.eventCount() == 800)
        // Each stored row is the event its caller was given back.
        for id in ids.shuffled().prefix(40) {
            let (e, history) = try #require(try await s.event(id: id))
            #expect(e.id == id && history.count == 1 && history[0].kind == .created)
        }
    }

    @Test func synchronousSettingApplies() async throws {
        for mode in [SQLiteOperationalStore.Synchronous.normal, .full] {
            let s = try store("sync\(mode.rawValue)", synchronous: mode)
            #expect(try await s.scalar("PRAGMA synchronous", onWriter: true) == (mode == .full ? "2" : "1"))
            let journal = try await s.scalar("PRAGMA journal_mode")
            #expect(journal == "wal")
        }
    }

    /// Prints insert rates: single-event transactions (as `POST /v1/events`) with synchronous
    /// NORMAL and FULL, and batches of 100 (as `POST /v1/events/batch`). Figures, not checks:
    /// nothing asserts on timing (debug builds and parallel tests make them noisy).
    @Test func measureInsertRates() async throws {
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
        var gen = EventGenerator(seed: 11)
        let events = gen.events(3_000)
        let clock = ContinuousClock()
        for mode in [SQLiteOperationalStore.Synchronous.normal, .full] {
            let s = try store("rate\(mode.rawValue)", synchronous: mode)
            _ = try await s.insertEvents([events[0]])
            let single = clock.now
            for e in events[1..<2_001] { _ = try await s.insertEvents([e]) }
            let singleRate = 2_000 / seconds(clock.now - single)
            let batched = clock.now
            for k in stride(from: 0, to: events.count, by: 100) { _ = try await s.insertEvents(Array(events[k..<(k + 100)])) }
            let batchRate = Double(events.count) / seconds(clock.now - batched)
            print("SQLiteOperationalStore inserts, synchronous \(mode.rawValue): \(Int(singleRate)) single-event transactions/s, "
                  + "\(Int(batchRate)) events/s in batches of 100")
            #expect(try await s.eventCount() == 2_001 + events.count)
        }
    }
}
