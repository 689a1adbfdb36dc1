import Foundation
import Geo
@testable import Storage
import Testing
import TestSupport

/// The two store engines, for tests run against both.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case spatiaLite, postGIS
    var testDescription: String { rawValue }
}

/// A feature store and an operational store of one kind, on fresh storage
/// (SpatiaLite: two files in a scratch folder; PostGIS: one new database on the
/// test cluster, both roles played by one `PostGISStore`).
struct Stores {
    var features: any FeatureStore
    var operational: any OperationalStore & BikePositionStore
    var postGIS: PostGISStore?
    var url: String?

    static func make(_ kind: StoreKind, _ name: String = #function) throws -> Stores {
        switch kind {
        case .spatiaLite:
            let dir = TestSupport.scratch(name)
            return Stores(features: try SpatiaLiteStore(path: dir + "/city.sqlite"),
                          operational: try SQLiteOperationalStore(path: dir + "/ops.sqlite"), postGIS: nil, url: nil)
        case .postGIS:
            let cluster = try PostgresTestCluster.shared()
            let url = try cluster.newDatabase(name)
            let store = try PostGISStore.open(url: url, passwordFile: cluster.passwordFile)
            return Stores(features: store, operational: store, postGIS: store, url: url)
        }
    }

    /// Another store on the same storage (another process would open the same).
    func reopen() throws -> Stores {
        guard let url else {
            if let s = features as? SpatiaLiteStore, let o = operational as? SQLiteOperationalStore {
                return Stores(features: try SpatiaLiteStore(path: s.path), operational: try SQLiteOperationalStore(path: o.path),
                              postGIS: nil, url: nil)
            }
            fatalError("unknown store")
        }
        let store = try PostGISStore.open(url: url, passwordFile: try PostgresTestCluster.shared().passwordFile)
        return Stores(features: store, operational: store, postGIS: store, url: url)
    }

    func close() { postGIS?.close() }
}

/// Points on a 0.001° lattice (query boxes sit on the half steps, so no feature
/// touches a box edge and float rounding in either index cannot matter).
func latticePoints(_ n: Int, seed: UInt64) -> [(ext: String, props: JSONObject, geometry: Geometry)] {
    var rng = SplitMix64(seed: seed)
    return (0..<n).map { k in
        let x = 104 + Double(Int.random(in: 0..<400, using: &rng)) * 0.001
        let y = 30.5 + Double(Int.random(in: 0..<400, using: &rng)) * 0.001
        let props = JSONObject([(key: "name", value: .string("p\(k)\t\"q\"\\n")), (key: "category", value: .string("c\(k % 7)")),
                                (key: "n", value: .number(Double(k)))])
        return ("ext\(k)", props, .point(Coordinate(x, y)))
    }
}

/// Squares of 1 to 3 lattice steps, as multipolygons.
func latticeSquares(_ n: Int, seed: UInt64) -> [(ext: String, props: JSONObject, geometry: Geometry)] {
    var rng = SplitMix64(seed: seed)
    return (0..<n).map { k in
        let x = 104 + Double(Int.random(in: 0..<300, using: &rng)) * 0.001
        let y = 30.5 + Double(Int.random(in: 0..<300, using: &rng)) * 0.001
        let side = Double(Int.random(in: 1...3, using: &rng)) * 0.001
        let ring = [Coordinate(x, y), Coordinate(x + side, y), Coordinate(x + side, y + side), Coordinate(x, y + side), Coordinate(x, y)]
        return ("sq\(k)", JSONObject([(key: "code", value: .string("G\(k)"))]), .multiPolygon([[ring]]))
    }
}

struct ImportFailure: Error {}

@Suite struct StoreConformanceTests {
    @discardableResult
    func load(_ store: any FeatureStore, _ name: String, _ role: LayerRole, _ rows: [(ext: String, props: JSONObject, geometry: Geometry)],
              mode: ImportMode = .replace) throws -> ImportCommit {
        try store.importLayer(LayerSpec(name: name, role: role, source: "test.geojson"), mode: mode) { w in
            for r in rows { try w.insert(extID: r.ext, properties: r.props, geometry: r.geometry) }
        }.1
    }

    func all(_ store: any FeatureStore, _ layer: String) throws -> [StoredFeature] {
        var out: [StoredFeature] = []
        try store.forEachFeature(in: layer) { out.append($0) }
        return out
    }

    // MARK: FeatureStore

    @Test(arguments: StoreKind.allCases)
    func catalogImportReplaceAppendAndIDOrder(_ kind: StoreKind) throws {
        let s = try Stores.make(kind)
        defer { s.close() }
        let store = s.features
        #expect(try store.layers().isEmpty)
        let v0 = try store.dataVersion()
        let rows = latticePoints(120, seed: 1)
        let first = try load(store, "pois", .poi, rows)
        #expect(first.inserted == 120)
        #expect(first.layer.count == 120)
        #expect(first.layer.version == 1)
        #expect(first.layer.geometryType == "Point")
        #expect(first.layer.source == "test.geojson")
        #expect(first.layer.minzoom == LayerRole.poi.defaultZoomRange.lowerBound)
        let v1 = try store.dataVersion()
        #expect(v1 > v0)
        var expectedBox = BoundingBox.empty
        for r in rows { expectedBox.extend(r.geometry.boundingBox) }
        #expect(first.layer.bbox == expectedBox)
        #expect(try store.layer(named: "pois") == first.layer)

        let stored = try all(store, "pois")
        #expect(stored.map(\.id) == stored.map(\.id).sorted())
        #expect(Set(stored.map(\.id)).count == 120)
        #expect(stored.map(\.extID) == rows.map(\.ext))
        #expect(stored.map(\.properties) == rows.map(\.props))
        #expect(stored.map(\.geometry) == rows.map(\.geometry))
        var raw: [RawFeature] = []
        try store.forEachRawFeature(in: "pois") { raw.append($0) }
        #expect(raw.map(\.id) == stored.map(\.id))
        #expect(raw.map { try? JSONParser.parse($0.propertiesJSON).objectValue } == rows.map(\.props))

        let more = latticePoints(30, seed: 2)
        let appended = try load(store, "pois", .poi, more, mode: .append)
        #expect(appended.layer.count == 150)
        #expect(appended.layer.version == 2)
        #expect(appended.inserted == 30)
        let afterAppend = try all(store, "pois")
        #expect(afterAppend.count == 150)
        #expect(afterAppend.map(\.id) == afterAppend.map(\.id).sorted())
        #expect(Array(afterAppend.prefix(120).map(\.id)) == stored.map(\.id))
        #expect(afterAppend.suffix(30).map(\.extID) == more.map(\.ext))
        let v2 = try store.dataVersion()
        #expect(v2 > v1)

        // Appending with another role is refused; nothing changes.
        #expect(throws: StorageError.self) { try load(store, "pois", .address, more, mode: .append) }
        #expect(try store.dataVersion() == v2)

        let replaced = try load(store, "pois", .poi, Array(more.prefix(5)))
        #expect(replaced.layer.count == 5)
        #expect(replaced.layer.version == 3)
        #expect(try all(store, "pois").map(\.extID) == more.prefix(5).map(\.ext))
        #expect(try store.dataVersion() > v2)

        try load(store, "grids", .grid, latticeSquares(10, seed: 3))
        #expect(try store.layers().map(\.name) == ["grids", "pois"])
        #expect(try store.layer(named: "grids")?.geometryType == "MultiPolygon")
        #expect(try store.layer(named: "nope") == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func aThrowInsideAnImportLeavesEverythingAsItWas(_ kind: StoreKind) throws {
        let s = try Stores.make(kind)
        defer { s.close() }
        let store = s.features
        try load(store, "pois", .poi, latticePoints(50, seed: 4))
        let layers = try store.layers()
        let version = try store.dataVersion()
        let before = try all(store, "pois")
        for mode in ImportMode.allCases {
            #expect(throws: ImportFailure.self) {
                try store.importLayer(LayerSpec(name: "pois", role: .poi), mode: mode) { w in
                    // Enough rows to fill several COPY chunks before the failure.
                    for r in latticePoints(20_000, seed: 5) { try w.insert(extID: r.ext, properties: r.props, geometry: r.geometry) }
                    throw ImportFailure()
                }
            }
        }
        #expect(throws: ImportFailure.self) {
            try store.importLayer(LayerSpec(name: "fresh", role: .poi), mode: .replace) { w in
                try w.insert(extID: nil, properties: JSONObject(), geometry: .point(Coordinate(104, 30)))
                throw ImportFailure()
            }
        }
        // A geometry the role's type refuses fails the import inside the store.
        #expect(throws: (any Error).self) {
            try store.importLayer(LayerSpec(name: "pois", role: .poi), mode: .append) { w in
                try w.insert(extID: nil, properties: JSONObject(), geometry: .point(Coordinate(104, 30)))
                try w.insert(extID: nil, properties: JSONObject(),
                             geometry: .lineString([Coordinate(104, 30), Coordinate(104.1, 30.1)]))
            }
        }
        #expect(try store.layers() == layers)
        #expect(try store.dataVersion() == version)
        let after = try all(store, "pois")
        #expect(after.map(\.id) == before.map(\.id))
        #expect(after.map(\.properties) == before.map(\.properties))
        #expect(try store.layer(named: "fresh") == nil)
        #expect(try store.check().isOK)
    }

    @Test(arguments: StoreKind.allCases)
    func bboxQueriesMatchBruteForce(_ kind: StoreKind) throws {
        let s = try Stores.make(kind)
        defer { s.close() }
        let store = s.features
        try load(store, "grids", .grid, latticeSquares(800, seed: 6))
        try load(store, "pois", .poi, latticePoints(800, seed: 7))
        var rng = SplitMix64(seed: 8)
        for layer in ["grids", "pois"] {
            let everything = try all(store, layer)
            for _ in 0..<25 {
                let x = 104 + (Double(Int.random(in: 0..<350, using: &rng)) + 0.5) * 0.001
                let y = 30.5 + (Double(Int.random(in: 0..<350, using: &rng)) + 0.5) * 0.001
                let box = BoundingBox(minX: x, minY: y, maxX: x + Double(Int.random(in: 1...60, using: &rng)) * 0.001,
                                      maxY: y + Double(Int.random(in: 1...60, using: &rng)) * 0.001)
                let expected = everything.filter { $0.geometry.boundingBox.intersects(box) }.map(\.id)
                let found = try store.features(in: layer, intersecting: box, limit: 100_000)
                #expect(found.map(\.id) == expected, "\(layer) \(box)")
                let limited = try store.features(in: layer, intersecting: box, limit: 3)
                #expect(limited.map(\.id) == Array(expected.prefix(3)))
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func deleteAndCheck(_ kind: StoreKind) throws {
        let s = try Stores.make(kind)
        defer { s.close() }
        let store = s.features
        try load(store, "pois", .poi, latticePoints(40, seed: 9))
        try load(store, "grids", .grid, latticeSquares(40, seed: 10))
        let report = try store.check()
        #expect(report.isOK)
        #expect(report.layers.map(\.name) == ["grids", "pois"])
        #expect(report.layers.map(\.tableCount) == [40, 40])
        #expect(report.layers.allSatisfy { $0.spatialIndexValid == true })
        let version = try store.dataVersion()
        try store.deleteLayer("pois")
        #expect(try store.dataVersion() > version)
        #expect(try store.layers().map(\.name) == ["grids"])
        #expect(throws: (any Error).self) { try store.forEachFeature(in: "pois") { _ in } }
        #expect { try store.deleteLayer("pois") } throws: { ($0 as? StorageError)?.code == .unknownLayer }
        #expect { try store.deleteLayer("Bad Name") } throws: { ($0 as? StorageError)?.code == .invalidLayerName }
        #expect(try store.check().isOK)
    }

    /// The sync methods called from more tasks at once than the cooperative pool has
    /// threads: none may wait on work that needs a pool thread (PostGIS: the bridge).
    @Test(arguments: StoreKind.allCases)
    func syncCallsFromManyTasksAtOnceDoNotDeadlock(_ kind: StoreKind) async throws {
        let s = try Stores.make(kind)
        defer { s.close() }
        let store = s.features
        try load(store, "pois", .poi, latticePoints(300, seed: 11))
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for k in 0..<24 {
                group.addTask {
                    if k % 3 == 0 { return try store.layers().count }
                    if k % 3 == 1 {
                        var n = 0
                        try store.forEachRawFeature(in: "pois") { _ in n += 1 }
                        return n
                    }
                    return try store.features(in: "pois", intersecting: BoundingBox(minX: 103, minY: 30, maxX: 105, maxY: 31), limit: 1000).count
                }
            }
            var out: [Int] = []
            for try await n in group { out.append(n) }
            return out
        }
        #expect(counts.count == 24)
        #expect(counts.allSatisfy { $0 == 1 || $0 == 300 })
    }

    @Test(arguments: StoreKind.allCases)
    func syncReadingsAndLegacyEvents(_ kind: StoreKind) throws {
        let s = try Stores.make(kind)
        defer { s.close() }
        let store = s.features
        _ = try store.insertReadings([SensorReading(sensorID: "s1", levelCM: 3, observedAt: "2026-03-01T00:00:00.000Z"),
                                      SensorReading(sensorID: "s1", levelCM: 9, observedAt: "2026-03-01T00:05:00.000Z"),
                                      SensorReading(sensorID: "s2", levelCM: 1, observedAt: "2026-03-01T00:01:00.000Z")])
        let latest = try store.latestReadings()
        #expect(latest["s1"]?.levelCM == 9)
        #expect(latest["s2"]?.observedAt == "2026-03-01T00:01:00.000Z")
        var gen = EventGenerator(seed: 12)
        var e = gen.event()
        e.status = "new"
        let stored = try store.insertEvent(e)
        #expect(stored.id > 0)
        #expect(try store.event(id: stored.id)?.type == e.type)
        let moved = try store.updateEventStatus(id: stored.id, from: "new", to: "assigned", at: "2026-03-02T00:00:00.000Z",
                                                properties: e.properties)
        #expect(moved?.status == "assigned")
        #expect(try store.updateEventStatus(id: stored.id, from: "new", to: "closed", at: "2026-03-02T00:00:00.000Z",
                                            properties: e.properties) == nil)
        #expect(try store.events().map(\.id) == [stored.id])
    }

    // MARK: Events

    func allPages(_ s: any OperationalStore, _ filter: EventFilter, limit: Int) async throws -> [EventRecord] {
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

    @Test(arguments: StoreKind.allCases)
    func eventsInsertRoundTripAndCompareAndSet(_ kind: StoreKind) async throws {
        let s = try Stores.make(kind)
        defer { s.close() }
        let ops = s.operational
        var gen = EventGenerator(seed: 13)
        var input = gen.events(5)
        input[0].properties["handlers"] = .array([.string("h1")])
        let stored = try await ops.insertEvents(input)
        #expect(stored.map(\.id) == stored.map(\.id).sorted())
        #expect(Set(stored.map(\.id)).count == 5)
        for (a, b) in zip(stored, input) {
            var expected = b
            expected.id = a.id
            #expect(a == expected)
            let (found, history) = try #require(try await ops.event(id: a.id))
            #expect(found == expected)
            #expect(history == [EventHistoryEntry(at: b.createdAt, kind: .created, to: b.status, actor: b.source)])
        }
        // Lists leave out the planning details.
        let page = try await ops.events(matching: EventFilter(), after: nil, limit: 10)
        #expect(page.map(\.id) == stored.map(\.id).reversed())
        #expect(page.last?.properties["handlers"] == nil)
        #expect(page.last?.properties["tag"] == .string("x\"y"))

        // Compare-and-set: two changes from the same stamp, at once; exactly one wins.
        var target = stored[1]
        let stamp = target.updatedAt
        target.status = "assigned"
        target.updatedAt = "2026-04-01T00:00:00.000Z"
        var other = stored[1]
        other.status = "closed"
        other.closedAt = "2026-04-01T00:00:01.000Z"
        other.updatedAt = "2026-04-01T00:00:01.000Z"
        let second = try s.reopen()
        defer { second.close() }
        let secondOps = second.operational
        let (x, y) = (target, other)
        async let a = ops.updateEvent(x, expectedUpdatedAt: stamp, history: [EventHistoryEntry(at: x.updatedAt, kind: .status, from: "new", to: "assigned")])
        async let b = secondOps.updateEvent(y, expectedUpdatedAt: stamp, history: [EventHistoryEntry(at: y.updatedAt, kind: .status, from: "new", to: "closed")])
        let results = try await [a, b]
        #expect(results.compactMap { $0 }.count == 1)
        let winner = try #require(results.compactMap { $0 }.first)
        let (now, history) = try #require(try await ops.event(id: target.id))
        #expect(now == winner)
        #expect(history.count == 2)
        #expect(history.last?.to == winner.status)
        // The loser's stamp is stale now.
        #expect(try await ops.updateEvent(x, expectedUpdatedAt: stamp, history: []) == nil)
        #expect(try await ops.updateEvent(x, expectedUpdatedAt: "nope", history: []) == nil)
        var missing = x
        missing.id = 999_999
        #expect(try await ops.updateEvent(missing, expectedUpdatedAt: x.updatedAt, history: []) == nil)
        #expect(try await ops.eventCount() == 5)
    }

    @Test(arguments: StoreKind.allCases)
    func listingFiltersMatchBruteForceAndCursorsAreStable(_ kind: StoreKind) async throws {
        let s = try Stores.make(kind)
        defer { s.close() }
        let ops = s.operational
        var gen = EventGenerator(seed: 14)
        let all = try await ops.insertEvents(gen.events(600))
        let filters: [EventFilter] = [
            EventFilter(),
            EventFilter(statuses: ["new", "assigned"]),
            EventFilter(types: ["noise"]),
            EventFilter(statuses: ["closed"], types: ["road", "water"]),
            EventFilter(gridCode: "G3"),
            EventFilter(communityCode: "C2"),
            EventFilter(streetCode: "S1", since: EventGenerator.time(5 * 86_400)),
            EventFilter(bbox: BoundingBox(minX: 104.05, minY: 30.65, maxX: 104.12, maxY: 30.72)),
            EventFilter(since: EventGenerator.time(10 * 86_400), until: EventGenerator.time(12 * 86_400)),
            EventFilter(overdueAt: EventGenerator.time(15 * 86_400)),
            EventFilter(statuses: []),
        ]
        for f in filters {
            let expected = all.filter { OperationalStoreTests.matches($0, f) }.map(\.id).sorted(by: >)
            let paged = try await allPages(ops, f, limit: 17)
            #expect(paged.map(\.id) == expected, "\(f)")
        }
        // Pages after a cursor do not move when events arrive meanwhile.
        let first = try await ops.events(matching: EventFilter(types: ["noise"]), after: nil, limit: 20)
        let cursor = try #require(first.last?.id)
        let before = try await ops.events(matching: EventFilter(types: ["noise"]), after: cursor, limit: 20)
        _ = try await ops.insertEvents(gen.events(50))
        let after = try await ops.events(matching: EventFilter(types: ["noise"]), after: cursor, limit: 20)
        #expect(after == before)
        #expect(try await ops.eventCount() == 650)
    }

    @Test(arguments: StoreKind.allCases)
    func statsHotspotsLiveEventsAndPurge(_ kind: StoreKind) async throws {
        let s = try Stores.make(kind)
        defer { s.close() }
        let ops = s.operational
        var gen = EventGenerator(seed: 15)
        let all = try await ops.insertEvents(gen.events(800))
        let now = EventGenerator.time(20 * 86_400)
        for grouping in EventGrouping.allCases {
            let rows = try await ops.eventStats(groupBy: grouping, since: EventGenerator.time(3 * 86_400), until: nil, now: now)
            let chosen = all.filter { $0.createdAt >= EventGenerator.time(3 * 86_400) }
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
                let durations = g.compactMap { e in e.closedAt.map { Timestamp.parse($0)!.timeIntervalSince(Timestamp.parse(e.createdAt)!) } }
                if durations.isEmpty {
                    #expect(row.meanSecondsToClose == nil)
                } else {
                    #expect(abs(try #require(row.meanSecondsToClose) - durations.reduce(0, +) / Double(durations.count)) < 0.01)
                }
            }
        }
        let since = EventGenerator.time(10 * 86_400)
        let spots = try await ops.eventHotspots(since: since, type: nil, minimum: 4, limit: 10)
        let groups = Dictionary(grouping: all.filter { $0.createdAt >= since && $0.gridCode != nil }) { "\($0.gridCode!)|\($0.type)" }
        let expected = groups.values.filter { $0.count >= 4 }
            .map { g in EventHotspot(gridCode: g[0].gridCode!, type: g[0].type, count: g.count, lastAt: g.map(\.createdAt).max()!) }
            .sorted { a, b in
                if a.count != b.count { return a.count > b.count }
                if a.lastAt != b.lastAt { return a.lastAt > b.lastAt }
                return (a.gridCode, a.type) < (b.gridCode, b.type)
            }
        #expect(!expected.isEmpty)
        #expect(spots == Array(expected.prefix(10)))

        let live = try await ops.liveEvents(since: since)
        let expectedLive = all.filter { $0.status != "closed" || $0.createdAt >= since || ($0.closedAt ?? "") >= since }
        #expect(live.map(\.id) == expectedLive.map(\.id))

        let cutoff = EventGenerator.time(15 * 86_400)
        let purged = try await ops.purge(eventsClosedBefore: cutoff, readingsBefore: nil)
        let gone = all.filter { $0.status == "closed" && ($0.closedAt ?? "~") < cutoff }
        #expect(purged.events == gone.count)
        #expect(gone.count > 0)
        #expect(try await ops.eventCount() == 800 - gone.count)
        #expect(try await ops.event(id: gone[0].id) == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func readingsInsertOrIgnoreLatestPagesAndPurge(_ kind: StoreKind) async throws {
        let s = try Stores.make(kind)
        defer { s.close() }
        let ops = s.operational
        let readings = (0..<60).map { k in
            SensorReading(sensorID: "s\(k % 3)", levelCM: Double(k), observedAt: EventGenerator.time(Double(k) * 60))
        }
        #expect(try await ops.insertReadings(readings) == 60)
        #expect(try await ops.insertReadings(Array(readings.prefix(10))) == 0)
        let latest = try await ops.latestReadings()
        #expect(latest.count == 3)
        #expect(latest["s0"]?.levelCM == 57)
        #expect(latest["s2"]?.levelCM == 59)
        var page = try await ops.readings(sensor: "s1", since: EventGenerator.time(600), until: EventGenerator.time(2400), after: nil, limit: 4)
        #expect(page.map(\.levelCM) == [10, 13, 16, 19])
        page = try await ops.readings(sensor: "s1", since: EventGenerator.time(600), until: EventGenerator.time(2400),
                                      after: page.last?.observedAt, limit: 100)
        #expect(page.map(\.levelCM) == [22, 25, 28, 31, 34, 37])
        let purged = try await ops.purge(eventsClosedBefore: nil, readingsBefore: EventGenerator.time(1800))
        #expect(purged.readings == 30)
        #expect(try await ops.readings(sensor: "s0", since: nil, until: nil, after: nil, limit: 100).count == 10)
    }

    // MARK: Bike positions

    @Test(arguments: StoreKind.allCases)
    func bikePositionsLatestFollowingAndPurge(_ kind: StoreKind) async throws {
        let s = try Stores.make(kind)
        defer { s.close() }
        let bikes = s.operational
        try await bikes.prepareBikeTables()
        let start = try await bikes.bikePositionCursor()
        func p(_ id: String, _ ms: Int64, _ x: Double) -> BikePosition {
            BikePosition(bikeID: id, operatorName: "op", lon: 104 + x, lat: 30.6, observedAt: ms, status: .parked)
        }
        // b1 twice newer in one batch counts twice, b2's older report does not count.
        #expect(try await bikes.storeBikePositions([p("b1", 100, 0), p("b2", 200, 0.1), p("b1", 150, 0.2)], receivedAt: 1_000) == 3)
        #expect(try await bikes.storeBikePositions([p("b2", 50, 0.3), p("b3", 10, 0.4)], receivedAt: 2_000) == 1)
        let latest = try await bikes.latestBikePositions(since: nil).sorted { $0.bikeID < $1.bikeID }
        #expect(latest == [p("b1", 150, 0.2), p("b2", 200, 0.1), p("b3", 10, 0.4)])
        #expect(try await bikes.latestBikePositions(since: 100).map(\.bikeID).sorted() == ["b1", "b2"])
        #expect(try await bikes.bikePositionCount() == 5)

        // Another writer's batches are followed; this store's own are skipped.
        let other = try s.reopen()
        defer { other.close() }
        let theirs = [p("b9", 500, 0.5), p("b8", 600, 0.6)]
        try await other.operational.storeBikePositions(theirs, receivedAt: 3_000)
        try await bikes.storeBikePositions([p("b1", 700, 0.7)], receivedAt: 4_000)
        let followed = try await bikes.bikePositions(storedElsewhereAfter: start, limit: 100)
        #expect(followed.positions == theirs)
        #expect(followed.cursor == (try await bikes.bikePositionCursor()))
        let fromOther = try await other.operational.bikePositions(storedElsewhereAfter: start, limit: 100)
        #expect(fromOther.positions.map(\.bikeID) == ["b1", "b2", "b1", "b2", "b3", "b1"])
        let limited = try await other.operational.bikePositions(storedElsewhereAfter: start, limit: 2)
        #expect(limited.positions.count == 2)
        let rest = try await other.operational.bikePositions(storedElsewhereAfter: limited.cursor, limit: 100)
        // Its own batch is read now: a store forgets its batches once its cursor has passed them.
        #expect(rest.positions.map(\.bikeID) == ["b1", "b2", "b3", "b9", "b8", "b1"])

        let purged = try await bikes.purgeBikePositions(receivedBefore: 2_500, latestBefore: 100)
        #expect(purged.history == 5)
        #expect(purged.latest == 1)
        #expect(try await bikes.bikePositionCount() == 3)
    }
}
