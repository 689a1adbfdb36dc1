import CityOps
import Foundation
import Geo
import Storage
import Testing
import TestSupport

/// A tiny city in an in-memory store: 2×2 grid cells of 0.01° near Chengdu, two communities,
/// one street and district, 300 bikes, 6 bike stations, 6 flood points, handlers and pipes.
/// Every answer is checked against a brute-force scan with `Geodesy.haversine`.
struct TinyCity {
    static let west = 104.0, south = 30.6, cell = 0.01

    let store = InMemoryFeatureStore()
    let bikes: [Coordinate]
    let stations: [Coordinate]
    let floodPoints: [Coordinate]
    let waterHandlers: [Coordinate]

    /// Fixed-seed points over the city, so every run builds and asks the same.
    struct Rng {
        var random: SplitMix64
        init(state: UInt64) { random = SplitMix64(state: state) }
        mutating func point() -> Coordinate {
            Coordinate(TinyCity.west + 2 * TinyCity.cell * random.unit(), TinyCity.south + 2 * TinyCity.cell * random.unit())
        }
    }

    static func square(_ x0: Double, _ y0: Double, _ w: Double, _ h: Double) -> Geometry {
        .multiPolygon([[[Coordinate(x0, y0), Coordinate(x0 + w, y0), Coordinate(x0 + w, y0 + h),
                         Coordinate(x0, y0 + h), Coordinate(x0, y0)]]])
    }

    static func gridCode(col: Int, row: Int) -> String { "G\(col)\(row)" }

    init() throws {
        var rng = Rng(state: 7)
        bikes = (0..<300).map { _ in rng.point() }
        stations = (0..<6).map { _ in rng.point() }
        floodPoints = (0..<6).map { _ in rng.point() }
        waterHandlers = (0..<8).map { _ in rng.point() }
        let (w, s, c) = (Self.west, Self.south, Self.cell)
        try add("district", .district, [(["code": "D1", "name": "区", "parent_code": ""], Self.square(w, s, 2 * c, 2 * c))])
        try add("street", .street, [(["code": "S1", "name": "街道", "parent_code": "D1"], Self.square(w, s, 2 * c, 2 * c))])
        try add("community", .community, (0..<2).map { col in
            (["code": "C\(col)", "name": "社区\(col)", "parent_code": "S1"], Self.square(w + Double(col) * c, s, c, 2 * c))
        })
        var grids: [([String: String], Geometry)] = []
        for col in 0..<2 {
            for row in 0..<2 {
                grids.append((["code": Self.gridCode(col: col, row: row), "name": "网格", "parent_code": "C\(col)"],
                              Self.square(w + Double(col) * c, s + Double(row) * c, c, c)))
            }
        }
        try add("grids", .grid, grids)
        try add("bikes", .bike, bikes.enumerated().map { i, p in (["bike_id": "B\(i)", "operator": "hb"], .point(p)) })
        try add("stations", .bikeStation, stations.enumerated().map { i, p in
            (["station_id": "P\(i)", "capacity": "\(4 + 2 * i)"], .point(p))
        })
        try add("flood", .floodPoint, floodPoints.enumerated().map { i, p in
            (["kind": "underpass", "name": "下穿\(i)", "sensor_id": "W\(i)", "threshold_cm": "\(20 + 5 * i)"], .point(p))
        })
        var handlers: [([String: String], Geometry)] = waterHandlers.enumerated().map { i, p in
            (["handler_id": "H\(i)", "type": "water", "name": "水务\(i)", "grid_code": ""], .point(p))
        }
        for col in 0..<2 {
            for row in 0..<2 {
                let centre = Coordinate(w + (Double(col) + 0.5) * c, s + (Double(row) + 0.5) * c)
                handlers.append((["handler_id": "GW\(col)\(row)", "type": "grid_worker", "name": "网格员",
                                  "grid_code": Self.gridCode(col: col, row: row)], .point(centre)))
            }
        }
        try add("handlers", .handler, handlers)
        try add("pipes", .pipe, (0..<4).map { i in
            let y = s + 0.004 + 0.004 * Double(i)
            return (["network": "water", "diameter_mm": "300", "material": "PE", "from_node": "N\(i)a", "to_node": "N\(i)b"],
                    .lineString([Coordinate(w, y), Coordinate(w + 2 * c, y)]))
        })
        // Readings: W0 flooded, W1 warning, W2 normal; the rest have none.
        let levels = [30.0, 22.0, 5.0]
        _ = try store.insertReadings(levels.enumerated().map { i, level in
            SensorReading(sensorID: "W\(i)", levelCM: level, observedAt: "2026-03-01T08:00:00Z")
        })
    }

    func add(_ name: String, _ role: LayerRole, _ features: [([String: String], Geometry)]) throws {
        _ = try store.importLayer(LayerSpec(name: name, role: role), mode: .replace) { writer in
            for (props, g) in features {
                let members = props.sorted { $0.key < $1.key }.map { (key: $0.key, value: Self.value($0.key, $0.value)) }
                try writer.insert(extID: nil, properties: JSONObject(members), geometry: g)
            }
        }
    }

    static func value(_ key: String, _ text: String) -> JSONValue {
        ["capacity", "threshold_cm", "diameter_mm"].contains(key) ? .number(Double(text)!) : .string(text)
    }

    /// Indices of `points` nearest `q`, nearest first, with their distances.
    static func bruteNearest(_ points: [Coordinate], _ q: Coordinate) -> [(index: Int, distance: Double)] {
        points.enumerated().map { ($0.offset, Geodesy.haversine(q, $0.element)) }.sorted { $0.1 < $1.1 }
    }
}

@Suite struct CitySnapshotTests {
    @Test func loadsEveryLayerFromAnyFeatureStore() throws {
        let city = try TinyCity()
        let snapshot = try CitySnapshot.load(from: city.store)
        #expect(snapshot.version == (try city.store.dataVersion()))
        for info in try city.store.layers() {
            let l = try snapshot.layer(info.name)
            var stored: [StoredFeature] = []
            try city.store.forEachFeature(in: info.name) { stored.append($0) }
            #expect(l.count == stored.count)
            #expect(l.featureIDs == stored.map(\.id))
            for (i, f) in stored.enumerated() {
                #expect(l.geometry.geometry(i) == f.geometry)
                #expect(l.properties.object(i) == f.properties)
            }
        }
        // The events layer joins even when the store has none.
        #expect(try snapshot.layer(CitySnapshot.eventsLayerName).count == 0)
        #expect(snapshot.readings["W0"]?.levelCM == 30)
    }

    @Test func locateFindsTheOwningAreas() throws {
        let city = try TinyCity()
        let snapshot = try CitySnapshot.load(from: city.store)
        var rng = TinyCity.Rng(state: 99)
        for _ in 0..<500 {
            let p = rng.point()
            let col = Int((p.x - TinyCity.west) / TinyCity.cell), row = Int((p.y - TinyCity.south) / TinyCity.cell)
            let found = snapshot.locate(lon: p.x, lat: p.y)
            let code = { (role: LayerRole) in found[role].map { $0.0.properties.object($0.1)["code"]?.stringValue } ?? nil }
            #expect(code(.grid) == TinyCity.gridCode(col: col, row: row))
            #expect(code(.community) == "C\(col)")
            #expect(code(.street) == "S1" && code(.district) == "D1")
        }
        #expect(snapshot.locate(lon: 103.9, lat: 30.61).isEmpty)
    }

    @Test func nearestAndWithinMatchBruteForce() throws {
        let city = try TinyCity()
        let snapshot = try CitySnapshot.load(from: city.store)
        let bikes = try snapshot.layer("bikes")
        var rng = TinyCity.Rng(state: 5)
        for _ in 0..<50 {
            let q = rng.point()
            let truth = TinyCity.bruteNearest(city.bikes, q)
            let hits = snapshot.nearest(bikes, lon: q.x, lat: q.y, k: 5, maxDistance: .infinity, filter: nil)
            #expect(hits.map(\.position) == truth.prefix(5).map(\.index))
            for (h, t) in zip(hits, truth) { #expect(abs(h.distance - t.distance) < 1e-6) }

            let radius = 300.0
            let inside = truth.filter { $0.distance <= radius }
            let (count, within) = snapshot.within(bikes, lon: q.x, lat: q.y, radius: radius, limit: 10)
            #expect(count == inside.count)
            #expect(within.map(\.position) == inside.prefix(10).map(\.index))
        }
    }

    @Test func bikeBalanceCountsBikesAroundEachStation() throws {
        let city = try TinyCity()
        let snapshot = try CitySnapshot.load(from: city.store)
        let radius = 250.0
        let balance = try snapshot.bikeBalance(radius: radius, low: 0.5, high: 1.5)
        #expect(balance.stations.count == city.stations.count)
        for (i, s) in balance.stations.enumerated() {
            let count = city.bikes.filter { Geodesy.haversine($0, city.stations[i]) <= radius }.count
            let capacity = 4 + 2 * i
            #expect(s.stationID == "P\(i)" && s.count == count && s.capacity == capacity)
            let expected = Double(count) < 0.5 * Double(capacity) ? "deficit"
                : (Double(count) > 1.5 * Double(capacity) ? "surplus" : "ok")
            #expect(s.status == expected)
        }
    }

    @Test func floodPointsRankByRiskAndFollowARoute() throws {
        let city = try TinyCity()
        let snapshot = try CitySnapshot.load(from: city.store)
        let (_, all) = try snapshot.floodPoints(bbox: nil, route: nil, buffer: 0, warningRatio: 0.8)
        #expect(all.count == city.floodPoints.count)
        // W0: 30 cm over 20 flooded; W1: 22 over 25 warning; W2: 5 over 30 normal; no reading: risk 0.
        #expect(all.prefix(3).map(\.position) == [0, 1, 2])
        #expect(all.prefix(3).map(\.status) == ["flooded", "warning", "normal"])
        #expect(all.dropFirst(3).allSatisfy { $0.status == "normal" && $0.risk == 0 && $0.reading == nil })

        // Along a route: the points within the buffer of the polyline, by dense sampling.
        let route = [Coordinate(104.001, 30.605), Coordinate(104.019, 30.612), Coordinate(104.01, 30.619)]
        let buffer = 400.0
        func distanceToRoute(_ p: Coordinate) -> Double {
            var best = Double.infinity
            for (a, b) in zip(route, route.dropFirst()) {
                for t in stride(from: 0.0, through: 1.0, by: 1.0 / 4000) {
                    best = min(best, Geodesy.haversine(p, Coordinate(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y))))
                }
            }
            return best
        }
        let (_, near) = try snapshot.floodPoints(bbox: nil, route: route, buffer: buffer, warningRatio: 0.8)
        let found = Set(near.map(\.position))
        for (i, p) in city.floodPoints.enumerated() {
            let d = distanceToRoute(p)
            guard abs(d - buffer) > 2 else { continue }
            #expect(found.contains(i) == (d < buffer), "flood point \(i) at \(d) m")
        }
        #expect(throws: CityOpsError.self) { try snapshot.floodPoints(bbox: nil, route: [], buffer: 10, warningRatio: 0.8) }
    }

    @Test func eventPlanningProposesHandlersAndGathersContext() throws {
        let city = try TinyCity()
        let p = Coordinate(104.0042, 30.6061)
        let earlier = EventRecord(type: "管道破裂", description: "漏水", address: nil, status: "new", source: "12345",
                                  reportedAt: "2026-03-01T08:00:00Z", createdAt: "2026-03-01T08:00:00Z",
                                  updatedAt: "2026-03-01T08:00:00Z", gridCode: "G00", properties: JSONObject(),
                                  point: Coordinate(104.0043, 30.6062))
        _ = try city.store.insertEvent(earlier)
        let snapshot = try CitySnapshot.load(from: city.store)
        let settings = DispatchSettings()
        let request = EventRequest(type: "管道破裂", description: "又漏水", address: nil, point: p, source: "12345",
                                   reportedAt: Date(timeIntervalSince1970: 1_772_352_000 + 1800), reportedAtText: nil)
        let plan = try snapshot.planEvent(request, settings: settings, geocoding: GeocodingService(), floodWarningRatio: 0.8)
        #expect(plan.handlerType == "water")
        let truth = TinyCity.bruteNearest(city.waterHandlers, p).prefix(settings.handlersProposed)
        #expect(plan.handlers.map { $0.0.properties.object($0.1)["handler_id"]?.stringValue } == truth.map { "H\($0.index)" })
        #expect(plan.areas[.grid].map { $0.0.properties.object($0.1)["code"]?.stringValue } == "G00")
        // Events are the event hub's (EventService, on its own store), never the feature store's:
        // the snapshot starts with an empty events layer that the hub replaces.
        #expect(try snapshot.layer(CitySnapshot.eventsLayerName).count == 0)
        // Pipes within 50 m: the pipe at 30.604 lies about 233 m south, none is that close.
        #expect(plan.pipes.isEmpty)
        let floodTruth = city.floodPoints.filter { Geodesy.haversine($0, p) <= settings.floodContextM }.count
        #expect(plan.floodPoints.count == floodTruth)

        // An unmapped type goes to the owning grid's worker first; 22 m north of it runs pipe 1 (at 30.608).
        let q = Coordinate(104.0042, 30.6082)
        let other = EventRequest(type: "新类型", description: "x", address: nil, point: q, source: nil, reportedAt: nil, reportedAtText: nil)
        let plan2 = try snapshot.planEvent(other, settings: settings, geocoding: GeocodingService(), floodWarningRatio: 0.8)
        #expect(plan2.handlers.first.map { $0.0.properties.object($0.1)["handler_id"]?.stringValue } == "GW00")
        #expect(plan2.pipes.map(\.1) == [1])
        #expect(abs((plan2.pipes.first?.2 ?? 0) - Geodesy.haversine(q, Coordinate(q.x, 30.608))) < 0.5)
    }
}
