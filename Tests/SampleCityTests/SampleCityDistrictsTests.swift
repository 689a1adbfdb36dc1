import Foundation
import Geo
import GeometryOps
import SampleCity
import Testing
import TestSupport

/// A city of four districts (`citytwin sample --districts 4`), generated once.
@Suite(.serialized) struct SampleCityDistrictsTests {
    static let city = SampleCityGenerator(districts: 4).generate()

    static func code(_ f: Feature) -> String { f.properties["code"]?.stringValue ?? "" }
    static func parent(_ f: Feature) -> String { f.properties["parent_code"]?.stringValue ?? "" }

    @Test func fourDistrictsEachLikeTheSample() {
        let c = Self.city
        #expect(c.features("district").count == 4)
        #expect(Set(c.features("district").compactMap { $0.properties["name"]?.stringValue }).count == 4)
        #expect(c.features("streets").count == 4 * 14)
        #expect(c.features("communities").count == 4 * 100)
        #expect(c.features("grids").count == 4 * 1000)
        #expect(c.features("handlers").count == 4 * 1300)
        #expect(c.features("bike_stations").count == 4 * 6120)
        #expect((4 * 18_000...4 * 22_000).contains(c.features("addresses").count))
        #expect((4 * 18_000...4 * 22_000).contains(c.features("buildings").count))
        #expect((4 * 13_000...4 * 17_000).contains(c.features("pipes").count))
        #expect(c.features("flood_points").count == 4 * 18 && c.workOrders.count == 4 * 500)
    }

    /// Districts tile the city, and at every level the children tile their
    /// parent: areas add up to the parent's, the union is the parent, and no
    /// two siblings overlap (pairwise intersection areas are zero).
    @Test func hierarchyTilesExactly() throws {
        let geos = GEOSContext()
        let c = Self.city
        func siblingsDoNotOverlap(_ kids: [Geometry], _ parentArea: Double, _ what: String) throws {
            for a in kids.indices { for b in kids.indices where b > a {
                #expect(try geos.intersectionArea(kids[a], kids[b]) < parentArea * 1e-9, "\(what): children \(a) and \(b) overlap")
            } }
        }
        let districts = c.features("district").compactMap(\.geometry)
        let cityUnion = try geos.union(districts)
        #expect(cityUnion.count == 1, "districts are not one connected area")
        let sum = try districts.reduce(0.0) { $0 + (try geos.area($1)) }
        #expect(abs(try geos.area(cityUnion[0]) - sum) < sum * 1e-9)
        try siblingsDoNotOverlap(districts, sum, "city")
        func check(parents: [Feature], children: [Feature]) throws {
            let byParent = Dictionary(grouping: children, by: Self.parent)
            #expect(Set(byParent.keys) == Set(parents.map(Self.code)))
            for p in parents {
                let code = Self.code(p)
                let kids = try #require(byParent[code]).compactMap(\.geometry)
                let parentArea = try geos.area(p.geometry!)
                let sum = try kids.reduce(0.0) { $0 + (try geos.area($1)) }
                let union = try geos.union(kids)
                #expect(union.count == 1, "\(code): children are not one connected area")
                let unionArea = try geos.area(union[0])
                #expect(abs(sum - parentArea) < parentArea * 1e-9, "\(code): children's areas do not add up to the parent's")
                #expect(abs(unionArea - parentArea) < parentArea * 1e-9, "\(code): children leave gaps")
                #expect(abs(try geos.intersectionArea(union[0], p.geometry!) - parentArea) < parentArea * 1e-9, "\(code): children reach outside")
                try siblingsDoNotOverlap(kids, parentArea, code)
            }
        }
        try check(parents: c.features("district"), children: c.features("streets"))
        try check(parents: c.features("streets"), children: c.features("communities"))
        try check(parents: c.features("communities"), children: c.features("grids"))
    }

    @Test func codesAreUniqueAndPrefixedByTheirParents() {
        let c = Self.city
        let levels = ["district", "streets", "communities", "grids"].map { c.features($0) }
        let all = levels.flatMap { $0.map(Self.code) }
        #expect(Set(all).count == all.count, "admin codes repeat")
        #expect(levels[0].allSatisfy { Self.code($0).count == 6 && Self.parent($0) == "510100" && Self.code($0).hasPrefix("5101") })
        for k in 1..<levels.count {
            let parents = Set(levels[k - 1].map(Self.code))
            for f in levels[k] {
                #expect(parents.contains(Self.parent(f)) && Self.code(f).hasPrefix(Self.parent(f)) && Self.code(f).count == Self.parent(f).count + 3,
                        "\(Self.code(f)) under \(Self.parent(f))")
            }
        }
        func unique(_ layer: String, _ key: String) {
            let ids = c.features(layer).compactMap { $0.properties[key]?.stringValue }
            #expect(ids.count == c.features(layer).count && Set(ids).count == ids.count, "\(layer).\(key) repeats")
        }
        unique("pipes", "pipe_id"); unique("pipe_nodes", "node_id"); unique("bike_stations", "station_id")
        unique("bikes", "bike_id"); unique("handlers", "handler_id"); unique("flood_points", "sensor_id")
        unique("addresses", "full"); unique("roads", "name")
        let orders = c.workOrders.compactMap { $0.properties["order_id"]?.stringValue }
        #expect(Set(orders).count == c.workOrders.count)
    }

    /// The one district whose polygon covers the point (nil on a shared boundary or outside).
    func district(of p: Coordinate, _ geos: GEOSContext) throws -> Int? {
        let hits = try Self.city.features("district").indices.filter { try geos.covers(Self.city.features("district")[$0].geometry!, p) }
        return hits.count == 1 ? hits[0] : nil
    }

    /// A line starting inside one district and ending inside another.
    func crosses(_ f: Feature, _ geos: GEOSContext) throws -> Bool {
        guard case .lineString(let pts)? = f.geometry, let a = pts.first, let b = pts.last,
              let da = try district(of: a, geos), let db = try district(of: b, geos) else { return false }
        return da != db
    }

    @Test func mainRoadsAndTrunkPipesCrossDistrictBoundaries() throws {
        let geos = GEOSContext()
        let c = Self.city
        let main = c.features("roads").filter { $0.properties["kind"] == .string("主干路") }
        let crossingRoads = try main.filter { try crosses($0, geos) }
        // Each of the 4 boundaries: 5 or 6 main roads across it (every fifth lattice line).
        #expect(crossingRoads.count >= 4 * 5, "\(crossingRoads.count) main roads cross a boundary")
        let trunks = c.features("pipes").filter { ($0.properties["diameter_mm"]?.doubleValue ?? 0) >= 1000 && $0.properties["network"] != .string("drainage") }
        let crossingPipes = try trunks.filter { try crosses($0, geos) }
        for network in ["water", "sewage"] {
            #expect(crossingPipes.filter { $0.properties["network"] == .string(network) }.count == 4, "\(network) trunk mains across the 4 boundaries")
        }
    }

    /// Pipes reference nodes of their own network, and each network is one graph across the city.
    @Test func eachNetworkIsConnectedAcrossTheCity() {
        let c = Self.city
        var index: [String: Int] = [:], network: [String] = []
        for n in c.features("pipe_nodes") {
            index[n.properties["node_id"]!.stringValue!] = network.count
            network.append(n.properties["network"]!.stringValue!)
        }
        #expect(index.count == network.count, "node ids repeat")
        var parent = Array(network.indices)
        func find(_ x: Int) -> Int { var x = x; while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }; return x }
        var dangling = 0
        for p in c.features("pipes") {
            guard let a = index[p.properties["from_node"]!.stringValue!], let b = index[p.properties["to_node"]!.stringValue!],
                  network[a] == p.properties["network"]!.stringValue!, network[b] == network[a] else { dangling += 1; continue }
            parent[find(a)] = find(b)
        }
        #expect(dangling == 0, "\(dangling) pipes reference missing nodes or another network")
        var roots: [String: Set<Int>] = [:]
        for x in network.indices { roots[network[x], default: []].insert(find(x)) }
        #expect(roots.keys.sorted() == ["drainage", "sewage", "water"])
        for (n, r) in roots { #expect(r.count == 1, "\(n) has \(r.count) components") }
    }

    @Test func everyHandlerSitsInItsGrid() throws {
        let geos = GEOSContext()
        let grids = Dictionary(uniqueKeysWithValues: Self.city.features("grids").map { (Self.code($0), $0.geometry!) })
        for h in Self.city.features("handlers") {
            guard case .point(let p)? = h.geometry else { continue }
            #expect(try geos.covers(try #require(grids[h.properties["grid_code"]!.stringValue!]), p))
        }
    }

    /// Every run (any process: no hash-order dependence) gives the same city:
    /// an FNV-1a digest of the written GeoJSON of every admin area, road,
    /// flood point and handler and of every 16th feature of the big layers.
    /// Regenerate the constant when the generator changes on purpose.
    @Test func everyRunGivesTheSameCity() {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for (name, _, features) in Self.city.layers {
            let step = ["district", "streets", "communities", "grids", "roads", "flood_points", "handlers"].contains(name) ? 1 : 16
            for f in stride(from: 0, to: features.count, by: step).map({ features[$0] }) {
                for b in GeoJSON.string(f, precision: 7).utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
            }
        }
        #expect(String(h, radix: 16) == "edf11e2862179729", "digest \(String(h, radix: 16))")
    }
}
