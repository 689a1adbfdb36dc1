import Dispatch
import Foundation
import Geo
import Geocoder
import Synchronization

/// A geocoding answer placed in the city: the geocoder's result plus the
/// admin areas that own its point (point-in-polygon, not the gazetteer's guess).
public struct PlacedResult: Sendable {
    public var result: GeocodeResult
    public var areas: [LayerRole: (LayerSnapshot, Int)]
}

/// Reverse geocoding: who owns the point and what is near it.
public struct ReverseAnswer: Sendable {
    public var areas: [LayerRole: (LayerSnapshot, Int)]
    /// Nearest address within 100 m, nearest road, nearest POI within 300 m (layer, position, metres).
    public var address: (LayerSnapshot, Int, Double)?
    public var road: (LayerSnapshot, Int, Double)?
    public var poi: (LayerSnapshot, Int, Double)?
    public var formatted: String
    /// e.g. "万达广场(万年南路店)东南方向80米".
    public var description: String
}

/// The parts of the geocoder's gazetteer, each rebuilt only when a layer it reads changes.
public enum GazetteerPartKind: Int, Sendable, CaseIterable {
    /// District, street, community and grid layers. Every part reads these (entries carry admin codes).
    case admin = 0
    /// The road layer.
    case roads
    /// The address and building layers.
    case addresses
    /// The POI layer.
    case pois

    /// The positions in `CitySnapshot.gazetteerKey` of the layers this part reads.
    var keyPositions: [Int] {
        switch self {
        case .admin: [0, 1, 2, 3]
        case .roads: [0, 1, 2, 3, 4]
        case .addresses: [0, 1, 2, 3, 5, 6]
        case .pois: [0, 1, 2, 3, 7]
        }
    }
}

/// Geocoding over the current snapshot. The geocoder is built on first use
/// from the admin, road, address, building and POI layers, in four parts
/// (`GazetteerPartKind`): when a layer changes, only the parts that read it are
/// rebuilt and the others are reused (an import of POIs rebuilds the POI part;
/// one of bikes or pipes keeps the whole geocoder).
public final class GeocodingService: Sendable {
    let cache = Mutex<(key: [Int], geocoder: Geocoder)?>(nil)
    let building = Mutex<Void>(())
    let builds = Atomic<Int>(0)
    let partBuilds = Mutex([Int](repeating: 0, count: GazetteerPartKind.allCases.count))

    public init() {}

    /// Geocoders built so far (one per change of the layers they read).
    public var buildCount: Int { builds.load(ordering: .relaxed) }

    /// How many times `part` was built so far.
    public func buildCount(of part: GazetteerPartKind) -> Int { partBuilds.withLock { $0[part.rawValue] } }

    /// The geocoder for the snapshot's layers. While another caller builds a new one
    /// (a reload's, which takes seconds for a city of 16 districts), the previous
    /// geocoder answers instead of holding a request thread for the build: answers are
    /// placed on the caller's snapshot by their points, so a stale gazetteer can miss
    /// a new address but never points into the wrong layer.
    public func geocoder(for snapshot: CitySnapshot) -> Geocoder {
        let key = snapshot.gazetteerKey
        guard let c = cache.withLock({ $0 }) else { return building.withLock { _ in build(snapshot, key) } }
        if c.key == key { return c.geocoder }
        return building.withLockIfAvailable { _ in build(snapshot, key) } ?? c.geocoder
    }

    /// Builds unless the cache already holds `key`'s geocoder; call holding `building`.
    /// Parts whose layers are unchanged since the cached geocoder are reused.
    private func build(_ snapshot: CitySnapshot, _ key: [Int]) -> Geocoder {
        let old = cache.withLock { $0 }
        if let old, old.key == key { return old.geocoder }
        func reusable(_ kind: GazetteerPartKind) -> Bool {
            guard let old else { return false }
            return kind.keyPositions.allSatisfy { old.key[$0] == key[$0] }
        }
        func counted<P>(_ kind: GazetteerPartKind, _ make: () -> P) -> P {
            partBuilds.withLock { $0[kind.rawValue] += 1 }
            return make()
        }
        let prev = old?.geocoder.gazetteer
        let codes = [GazetteerPartKind.roads, .addresses, .pois].allSatisfy(reusable) ? nil : AdminCodeLocator(snapshot)
        let admin = reusable(.admin) ? prev!.adminPart : counted(.admin) { snapshot.makeAdminPart() }
        let roads = reusable(.roads) ? prev!.roadPart : counted(.roads) { snapshot.makeRoadPart(codes!) }
        let addresses = reusable(.addresses) ? prev!.addressPart : counted(.addresses) { snapshot.makeAddressPart(codes!) }
        let pois = reusable(.pois) ? prev!.poiPart : counted(.pois) { snapshot.makePOIPart(codes!) }
        let g = Geocoder(Gazetteer(admin: admin, roads: roads, addresses: addresses, pois: pois))
        builds.add(1, ordering: .relaxed)
        cache.withLock { $0 = (key, g) }
        return g
    }

    public func geocode(_ text: String, focus: Coordinate?, limit: Int, snapshot: CitySnapshot) -> [PlacedResult] {
        geocoder(for: snapshot).geocode(text, focus: focus, limit: limit).map { place($0, snapshot) }
    }

    /// Many queries on all cores, answers in input order.
    public func batch(_ texts: [String], focus: Coordinate?, limit: Int, snapshot: CitySnapshot) -> [[PlacedResult]] {
        let g = geocoder(for: snapshot)
        let out = Mutex([[PlacedResult]](repeating: [], count: texts.count))
        let chunk = 64
        DispatchQueue.concurrentPerform(iterations: (texts.count + chunk - 1) / chunk) { c in
            var local: [(Int, [PlacedResult])] = []
            for k in (c * chunk)..<min((c + 1) * chunk, texts.count) {
                local.append((k, g.geocode(texts[k], focus: focus, limit: limit).map { self.place($0, snapshot) }))
            }
            out.withLock { for (k, r) in local { $0[k] = r } }
        }
        return out.withLock { $0 }
    }

    func place(_ r: GeocodeResult, _ snapshot: CitySnapshot) -> PlacedResult {
        var r = r
        // A division outside the deployment has no point: nothing owns it.
        guard r.hasPoint else { return PlacedResult(result: r, areas: [:]) }
        let areas = snapshot.locate(lon: r.point.x, lat: r.point.y)
        // Components name the areas that actually own the point.
        var comps = r.components.filter { !["district", "street", "community", "grid"].contains($0.key) }
        for (key, role) in [("grid", LayerRole.grid), ("community", .community), ("street", .street), ("district", .district)].reversed() {
            if let (l, i) = areas[role], let name = l.properties.object(i)["name"]?.stringValue { comps.insert((key, name), at: 0) }
        }
        // Keep the hierarchy order district, street, community, grid at the front.
        let order = ["district", "street", "community", "grid"]
        let admin = comps.filter { order.contains($0.key) }.sorted { order.firstIndex(of: $0.key)! < order.firstIndex(of: $1.key)! }
        r.components = admin + comps.filter { !order.contains($0.key) }
        return PlacedResult(result: r, areas: areas)
    }

    public func autocomplete(_ text: String, focus: Coordinate?, limit: Int, snapshot: CitySnapshot)
        -> [(text: String, kind: Gazetteer.Suggestion.Kind, point: Coordinate)] {
        geocoder(for: snapshot).autocomplete(text, focus: focus, limit: limit)
    }

    public func reverse(lon: Double, lat: Double, snapshot s: CitySnapshot) -> ReverseAnswer {
        let areas = s.locate(lon: lon, lat: lat)
        func nearest(_ role: LayerRole, _ max: Double) -> (LayerSnapshot, Int, Double)? {
            guard let l = s.layer(role: role), let h = s.nearest(l, lon: lon, lat: lat, k: 1, maxDistance: max, filter: nil).first else { return nil }
            return (l, h.position, h.distance)
        }
        let address = nearest(.address, 100), road = nearest(.road, 1000), poi = nearest(.poi, 300)
        func prop(_ x: (LayerSnapshot, Int, Double)?, _ key: String) -> String? { x.flatMap { $0.0.properties.object($0.1)[key]?.stringValue } }
        var formatted = ""
        for role in [LayerRole.district, .street] { if let (l, i) = areas[role] { formatted += l.properties.object(i)["name"]?.stringValue ?? "" } }
        if let full = prop(address, "full") { formatted += full } else if let r = prop(road, "name") { formatted += r }
        var description = ""
        if let poi, let name = prop(poi, "name"), case .point(let c) = poi.0.geometry.geometry(poi.1) {
            let d = Int(poi.2.rounded())
            description = d < 10 ? "\(name)附近" : "\(name)\(Self.direction(from: c, to: Coordinate(lon, lat)))方向\(d)米"
        } else if let full = prop(address, "full") {
            description = "\(full)附近"
        } else if let r = prop(road, "name"), let road {
            description = "\(r)附近\(Int(road.2.rounded()))米"
        }
        return ReverseAnswer(areas: areas, address: address, road: road, poi: poi, formatted: formatted, description: description)
    }

    /// One of eight compass words for the bearing from `a` to `b` (东, 东北, 北 …).
    public static func direction(from a: Coordinate, to b: Coordinate) -> String {
        let dx = (b.x - a.x) * cos(a.y * .pi / 180), dy = b.y - a.y
        let angle = atan2(dy, dx) * 180 / .pi   // 0 = east, 90 = north
        let sectors = ["东", "东北", "北", "西北", "西", "西南", "南", "东南"]
        let k = Int(((angle + 360 + 22.5).truncatingRemainder(dividingBy: 360)) / 45)
        return sectors[k % 8]
    }
}
